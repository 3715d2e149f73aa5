import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newVmConfig, type VmState, type VmSummary } from '@openutm/shared';
import { MAX_VMS_SHOWN, trayMenu, type TrayItem } from './tray-menu';
import { detectTrayHost, headlessLine } from './tray-host';

const URL = 'http://127.0.0.1:47320/';
let n = 0;
function vm(name: string, state: VmState): VmSummary {
  const id = `vm${String(++n).padStart(4, '0')}`;
  const config = newVmConfig({ name, preset: 'linux-server' }, { id, now: new Date('2024-05-01T12:00:00Z') });
  return { config, status: { id, name, state, since: '2024-05-01T12:00:00.000Z', pid: null, crash: null, lastShutdown: null } };
}
const labels = (items: TrayItem[]) => items.map((i) => (i.kind === 'separator' ? '—' : i.kind === 'toggle' ? `${i.label} [${i.checked ? 'x' : ' '}]${i.enabled ? '' : ' (disabled)'}` : i.label));

test('the menu lists VMs (running first) then open, pair, start at login, quit', () => {
  const menu = trayMenu({ vms: [vm('Alpine', 'stopped'), vm('Windows 11', 'running'), vm('Debian', 'paused')], autostart: true, url: URL });
  assert.deepEqual(labels(menu.items), [
    'Debian — paused',
    'Windows 11 — running',
    'Alpine — stopped',
    '—',
    `Open OpenUTM (${URL})`,
    'Pair a device…',
    'Start at login [x]',
    '—',
    'Quit (2 VMs keep running)',
  ]);
  assert.equal(menu.tooltip, 'OpenUTM — 2 of 3 VMs running');
  assert.equal(menu.status, 'active');
});

test('an empty library, autostart off, and a crash are said plainly', () => {
  const empty = trayMenu({ vms: [], autostart: false, url: URL });
  assert.deepEqual(labels(empty.items).slice(0, 1), ['No virtual machines yet']);
  assert.ok(labels(empty.items).includes('Start at login [ ]'));
  assert.equal(labels(empty.items).at(-1), 'Quit');
  assert.equal(empty.tooltip, 'OpenUTM — no VMs yet');
  const crashed = trayMenu({ vms: [vm('Solo', 'crashed')], autostart: null, url: URL });
  assert.equal(crashed.status, 'attention');
  assert.equal(crashed.tooltip, 'OpenUTM — 0 of 1 VM running (one crashed)');
  assert.ok(labels(crashed.items).includes('Start at login [ ] (disabled)'));
});

test('a long library is cut after MAX_VMS_SHOWN with a count of the rest', () => {
  const many = Array.from({ length: MAX_VMS_SHOWN + 3 }, (_, i) => vm(`vm ${String(i).padStart(2, '0')}`, 'stopped'));
  const items = trayMenu({ vms: many, autostart: false, url: URL }).items.filter((i) => i.kind === 'vm');
  assert.equal(items.length, MAX_VMS_SHOWN + 1);
  assert.equal(items.at(-1)!.label, 'and 3 more…');
  assert.equal(new Set(items.map((i) => i.id)).size, items.length, 'ids are unique');
});

test('the tray host is StatusNotifierItem only with a desktop, a session bus and a watcher', () => {
  const desktop = { DISPLAY: ':0', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' };
  assert.deepEqual(detectTrayHost({ os: 'linux', env: desktop, watcherPresent: true }), { kind: 'status-notifier', busAddress: 'unix:path=/run/user/1000/bus' });
  const reasons = [
    detectTrayHost({ os: 'linux', env: {}, watcherPresent: null }),
    detectTrayHost({ os: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' }, watcherPresent: null }),
    detectTrayHost({ os: 'linux', env: desktop, watcherPresent: null }),
    detectTrayHost({ os: 'linux', env: desktop, watcherPresent: false }),
    detectTrayHost({ os: 'linux', env: desktop, watcherPresent: true, disabled: true }),
    detectTrayHost({ os: 'win32', env: {}, watcherPresent: null }),
    detectTrayHost({ os: 'darwin', env: { SSH_CONNECTION: '10.0.0.2 5 10.0.0.1 22', SSH_TTY: '/dev/ttys001' }, watcherPresent: null }),
    detectTrayHost({ os: 'win32', env: { SESSIONNAME: 'Console' }, watcherPresent: null, disabled: true }),
  ].map((h) => (h.kind === 'none' ? h.reason : 'tray'));
  assert.deepEqual(reasons.map((r) => r.split(' (')[0]!.split(';')[0]), [
    'no desktop session',
    'no session bus',
    'the session bus at unix:path=/run/user/1000/bus could not be reached',
    'the desktop shows no tray icons',
    'the tray is turned off',
    'no interactive desktop session',
    'an SSH login has no menu bar',
    'the tray is turned off',
  ]);
  assert.equal(headlessLine({ kind: 'none', reason: 'no desktop session' }, URL), `running headless: no desktop session; open ${URL} in a browser, and use \`openutm pair\` to pair it`);
});

test('Windows and macOS use their script host where a desktop session shows; OPENUTM_TRAY=1 overrides the guess', () => {
  const table: [Parameters<typeof detectTrayHost>[0], string][] = [
    [{ os: 'win32', env: { SESSIONNAME: 'Console' }, watcherPresent: null }, 'script:win32'],
    [{ os: 'win32', env: { SESSIONNAME: 'RDP-Tcp#3' }, watcherPresent: null }, 'script:win32'],
    [{ os: 'win32', env: {}, watcherPresent: null }, 'none'],
    [{ os: 'win32', env: { OPENUTM_TRAY: '1' }, watcherPresent: null }, 'script:win32'],
    [{ os: 'darwin', env: {}, watcherPresent: null }, 'script:darwin'],
    [{ os: 'darwin', env: { __CFBundleIdentifier: 'com.apple.Terminal' }, watcherPresent: null }, 'script:darwin'],
    // Terminal over SSH is still SSH; a LaunchAgent started by launchd is the desktop.
    [{ os: 'darwin', env: { SSH_CONNECTION: 'x', __CFBundleIdentifier: 'com.apple.Terminal' }, watcherPresent: null }, 'script:darwin'],
    [{ os: 'darwin', env: { SSH_TTY: '/dev/ttys001', XPC_SERVICE_NAME: 'org.openutm.helper' }, watcherPresent: null }, 'script:darwin'],
    [{ os: 'darwin', env: { SSH_TTY: '/dev/ttys001', XPC_SERVICE_NAME: '0' }, watcherPresent: null }, 'none'],
    [{ os: 'darwin', env: { SSH_CONNECTION: 'x', OPENUTM_TRAY: '1' }, watcherPresent: null }, 'script:darwin'],
    [{ os: 'darwin', env: { OPENUTM_TRAY: '1' }, watcherPresent: null, disabled: true }, 'none'],
    // Linux never uses a script host, whatever OPENUTM_TRAY says.
    [{ os: 'linux', env: { OPENUTM_TRAY: '1' }, watcherPresent: null }, 'none'],
  ];
  for (const [facts, expected] of table) {
    const host = detectTrayHost(facts);
    assert.equal(host.kind === 'script' ? `script:${host.platform}` : host.kind, expected, JSON.stringify(facts));
  }
});
