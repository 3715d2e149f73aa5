import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { newVmConfig, type VmState, type VmSummary } from '@openutm/shared';
import { DBusConnection } from '../dbus/dbus-connection';
import { startTray, type Tray } from '../tray-service';

// A real session bus (dbus-daemon) and a real third-party client (GLib's gdbus) reading the
// tray's item and menu. The StatusNotifierWatcher is the desktop's part, which does not exist
// here; a ten-line stand-in on the same bus takes the registration.
const missing = ['dbus-daemon', 'gdbus'].filter((p) => spawnSync('sh', ['-c', `command -v ${p}`]).status !== 0);
const skip = process.platform !== 'linux' ? 'StatusNotifierItem is the Linux tray' : missing.length ? `${missing.join(' and ')} not installed` : false;
const URL = 'http://127.0.0.1:47999/';

let tmp: string;
let daemon: ChildProcess;
let address: string;
let watcher: DBusConnection | null = null;
const registered: string[] = [];
const opened: string[] = [];
const logs: string[] = [];
let autostartOn = false;
let quits = 0;
let vms: VmSummary[] = [];
let tray: Tray | null = null;

function vm(id: string, name: string, state: VmState): VmSummary {
  const config = newVmConfig({ name, preset: 'linux-server' }, { id, now: new Date('2024-05-01T12:00:00Z') });
  return { config, status: { id, name, state, since: '2024-05-01T12:00:00.000Z', pid: null, crash: null, lastShutdown: null } };
}

// Asynchronous: the item answers from this very process, so the event loop must keep running.
async function gdbus(...args: string[]): Promise<string> {
  return (await promisify(execFile)('gdbus', [args[0]!, '--address', address, ...args.slice(1)], { encoding: 'utf8', timeout: 10_000 })).stdout;
}

function trayDeps() {
  return {
    env: { DISPLAY: ':0', DBUS_SESSION_BUS_ADDRESS: address },
    os: 'linux' as const,
    url: URL,
    log: (l: string) => logs.push(l),
    listVms: async () => vms,
    autostart: { get: async () => autostartOn, set: async (on: boolean) => void (autostartOn = on) },
    pairUrl: () => `${URL}pair?code=TESTCODE`,
    // "Open OpenUTM" (and the icon) open a fresh one-time pairing link, so that browser is paired.
    appUrl: () => `${URL}pair#code=APPCODE`,
    openUrl: (u: string) => void opened.push(u),
    quit: () => void quits++,
  };
}

before(async () => {
  if (skip) return;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'openutm-sni-'));
  daemon = spawn('dbus-daemon', ['--session', '--nofork', '--print-address', `--address=unix:path=${path.join(tmp, 'bus')}`], { stdio: ['ignore', 'pipe', 'ignore'] });
  address = await new Promise<string>((resolve) => createInterface({ input: daemon.stdout! }).once('line', resolve));
});
after(() => {
  tray?.close();
  watcher?.close();
  daemon?.kill();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('without a StatusNotifierWatcher the helper says it runs headless, and its item waits on the bus', { skip }, async () => {
  vms = [vm('aaa111', 'Debian', 'running'), vm('bbb222', 'Alpine', 'stopped')];
  tray = await startTray(trayDeps());
  assert.ok(tray, 'a desktop session with a bus: the item waits for the tray');
  assert.match(logs.at(-1)!, /^running headless: the desktop shows no tray icons \(no StatusNotifierWatcher on the session bus.*; the icon appears when the desktop's tray starts$/);
  assert.deepEqual(registered, []);
});

test('with a watcher, the item registers and gdbus reads its properties and menu', { skip }, async () => {
  await startWatcher();
  const name = `org.kde.StatusNotifierItem-${process.pid}-1`;
  await until(() => registered.includes(name), 'the waiting item registers once a watcher appears');
  assert.match(logs.at(-1)!, new RegExp(`^tray icon shown \\(StatusNotifierItem ${name.replace(/\./g, '\\.')} registered`));

  const props = await gdbus('call', '--dest', name, '--object-path', '/StatusNotifierItem', '--method', 'org.freedesktop.DBus.Properties.GetAll', 'org.kde.StatusNotifierItem');
  assert.match(props, /'Menu': <objectpath '\/MenuBar'>/);
  assert.match(props, /'Status': <'Active'>/);
  assert.match(props, /'OpenUTM — 1 of 2 VMs running'/);
  assert.match(props, /'IconPixmap': <\[\(22, 22, \[byte 0x00/);

  const layout = await gdbus('call', '--dest', name, '--object-path', '/MenuBar', '--method', 'com.canonical.dbusmenu.GetLayout', '--', '0', '-1', '[]');
  const labels = [...layout.matchAll(/'label': <'([^']*)'>/g)].map((m) => m[1]);
  assert.deepEqual(labels, ['Debian — running', 'Alpine — stopped', `Open OpenUTM (${URL})`, 'Pair a device…', 'Start at login', 'Quit (1 VM keeps running)']);
  assert.match(layout, /'label': <'Start at login'>, 'enabled': <true>, 'toggle-type': <'checkmark'>, 'toggle-state': <0>/);
  assert.match(await gdbus('introspect', '--dest', name, '--object-path', '/MenuBar'), /interface com\.canonical\.dbusmenu/);
});

// The desktop's part, absent here: owns the watcher name and records registrations.
async function startWatcher(): Promise<void> {
  watcher = await DBusConnection.open(address, (msg) => {
    if (msg.member === 'RegisterStatusNotifierItem') registered.push(String(msg.body[0]));
    return { signature: '', body: [] };
  });
  const [owned] = (await watcher.call({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus', member: 'RequestName', signature: 'su', body: ['org.kde.StatusNotifierWatcher', 4] })).body;
  assert.equal(owned, 1);
}

// The id gdbus sees for a label in the current layout.
async function idOf(name: string, label: string): Promise<number> {
  const layout = await gdbus('call', '--dest', name, '--object-path', '/MenuBar', '--method', 'com.canonical.dbusmenu.GetLayout', '--', '0', '-1', '[]');
  const m = new RegExp(`\\((\\d+), \\{'label': <'${label.replace(/[()?.*+]/g, '\\$&')}`).exec(layout);
  assert.ok(m, `${label} in ${layout}`);
  return Number(m[1]);
}

// Waits for an effect that travels over the bus; bounded, and the assertion is on the effect.
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`${what}: did not happen`);
}

test('clicks over D-Bus reach the helper: open, pair, start at login, quit; the menu follows the VMs', { skip }, async () => {
  const name = `org.kde.StatusNotifierItem-${process.pid}-1`;
  const click = async (id: number) => gdbus('call', '--dest', name, '--object-path', '/MenuBar', '--method', 'com.canonical.dbusmenu.Event', String(id), 'clicked', '<0>', '0');
  await gdbus('call', '--dest', name, '--object-path', '/StatusNotifierItem', '--method', 'org.kde.StatusNotifierItem.Activate', '0', '0');
  await click(await idOf(name, 'Pair a device…'));
  await until(() => opened.length === 2, 'the icon and "Pair" open the browser');
  assert.deepEqual(opened, [`${URL}pair#code=APPCODE`, `${URL}pair?code=TESTCODE`]);

  await click(await idOf(name, 'Start at login'));
  await until(() => autostartOn, 'start at login was switched on');
  const layoutHas = async (re: RegExp) => re.test(await gdbus('call', '--dest', name, '--object-path', '/MenuBar', '--method', 'com.canonical.dbusmenu.GetLayout', '--', '0', '-1', '[]'));
  await until(() => layoutHas(/'Start at login'>, 'enabled': <true>, 'toggle-type': <'checkmark'>, 'toggle-state': <1>/), 'the menu shows it checked');

  vms = [vm('aaa111', 'Debian', 'crashed'), vm('bbb222', 'Alpine', 'stopped')];
  tray!.refresh();
  await until(() => layoutHas(/'Debian — crashed'/), 'the menu follows a VM state change');
  assert.match(await gdbus('call', '--dest', name, '--object-path', '/StatusNotifierItem', '--method', 'org.freedesktop.DBus.Properties.Get', 'org.kde.StatusNotifierItem', 'Status'), /NeedsAttention/);

  await click(await idOf(name, 'Quit'));
  await until(() => quits === 1, 'Quit asks the helper to stop');
});

test('a restarted watcher (the desktop panel restarting) gets the registration again', { skip }, async () => {
  const name = `org.kde.StatusNotifierItem-${process.pid}-1`;
  watcher!.close();
  registered.length = 0;
  await startWatcher();
  await until(() => registered.includes(name), 'the item registers with the new watcher');
});

test('the built helper (openutm serve) shows the icon, and its Quit stops the helper', { skip }, async () => {
  const bundle = fileURLToPath(new globalThis.URL('../../../dist/openutm.cjs', import.meta.url));
  assert.ok(existsSync(bundle), 'npm test builds the helper bundle first');
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const env: NodeJS.ProcessEnv = { ...process.env, OPENUTM_HOME: path.join(tmp, 'library'), OPENUTM_PORT: String(port), DISPLAY: ':0', DBUS_SESSION_BUS_ADDRESS: address, XDG_RUNTIME_DIR: tmp };
  delete env.WAYLAND_DISPLAY;
  const helper = spawn(process.execPath, [bundle, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  helper.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  helper.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => helper.once('exit', (code) => resolve(code)));
  try {
    await until(() => /tray icon shown \(StatusNotifierItem org\.kde\.StatusNotifierItem-\d+-1/.test(output), `the helper shows its icon; it said:\n${output}`);
    const name = `org.kde.StatusNotifierItem-${helper.pid}-1`;
    assert.ok(registered.includes(name), 'the helper registered with the watcher');
    const layout = await gdbus('call', '--dest', name, '--object-path', '/MenuBar', '--method', 'com.canonical.dbusmenu.GetLayout', '--', '0', '-1', '[]');
    assert.match(layout, new RegExp(`'label': <'Open OpenUTM \\(http://127\\.0\\.0\\.1:${port}/\\)'>`));
    assert.match(layout, /'label': <'No virtual machines yet'>/);
    // Run from the bundle, the helper can register itself at login: the item is enabled.
    assert.match(layout, /'label': <'Start at login'>, 'enabled': <true>/);
    const quit = /\((\d+), \{'label': <'Quit'>/.exec(layout);
    assert.ok(quit, layout);
    await gdbus('call', '--dest', name, '--object-path', '/MenuBar', '--method', 'com.canonical.dbusmenu.Event', quit[1]!, 'clicked', '<0>', '0');
    assert.equal(await exited, 0, output);
    assert.match(output, /helper stopping; running VMs keep running/);
  } finally {
    helper.kill();
  }
});
