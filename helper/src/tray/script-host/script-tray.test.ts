import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { trayMenu, type TrayItem } from '../tray-menu';
import { startTray, type TrayDeps } from '../tray-service';
import { ScriptTray, afterHostExit } from './script-tray';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testing', 'fixture-tray-host.cjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'openutm-script-tray-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const URL = 'http://127.0.0.1:47320/';
const MENU = trayMenu({ vms: [], autostart: false, url: URL });

// Collects what the tray reports and lets a test wait for a condition on it (no sleeps).
class Seen {
  logs: string[] = [];
  clicks: (TrayItem | null)[] = [];
  headless: string[] = [];
  private waiters: (() => void)[] = [];
  note = () => this.waiters.splice(0).forEach((w) => w());
  until(check: (s: Seen) => boolean): Promise<void> {
    if (check(this)) return Promise.resolve();
    return new Promise((resolve) => {
      const again = () => (check(this) ? resolve() : this.waiters.push(again));
      this.waiters.push(again);
    });
  }
}

let runs = 0;
function fixtureTray(plan: { afterMenu: string[]; then: string; stderr?: string }, maxRestarts?: number) {
  const record = path.join(tmp, `record-${++runs}.txt`);
  const seen = new Seen();
  const tray = new ScriptTray({
    argv: [process.execPath, FIXTURE, record, JSON.stringify(plan)],
    platform: 'win32',
    menu: MENU,
    onClick: (c) => (seen.clicks.push(c), seen.note()),
    log: (l) => (seen.logs.push(l), seen.note()),
    onHeadless: (r) => (seen.headless.push(r), seen.note()),
    maxRestarts,
  });
  return { tray, seen, record: () => readFileSync(record, 'utf8').trim().split('\n') };
}

test('a working host: icons then menu in, clicks out, bad lines logged and skipped, exit on close', async () => {
  const { tray, seen, record } = fixtureTray({
    afterMenu: ['{"type":"ready"}', '{"type":"click","id":"pair"}', '{"type":"activate"}', 'not json', '{"type":"click","id":"vm:nope00"}', '{"type":"error","message":"menu too wide"}'],
    then: 'stay',
  });
  await seen.until((s) => s.clicks.length === 2 && s.logs.length === 4);
  assert.deepEqual(seen.clicks.map((c) => (c && c.kind !== 'separator' ? c.id : c)), ['pair', null]);
  assert.deepEqual(seen.logs, [
    'tray icon shown (node)',
    'tray: the tray host sent a line that is not JSON: "not json"',
    'tray: the tray host clicked "vm:nope00", which is not in the menu it was sent',
    'tray: the tray host reported: menu too wide',
  ]);
  tray.update(trayMenu({ vms: [], autostart: true, url: URL }));
  await tray.close();
  // 00000100: the ICONDIR header of an .ico (reserved 0, type 1).
  assert.deepEqual(record(), ['icons:00000100', 'menu', 'menu', 'exit']);
  assert.deepEqual(seen.headless, [], 'closing is not going headless');
});

test('a host that keeps dying after it worked is restarted a bounded number of times, then the helper goes headless', async () => {
  const { seen, record } = fixtureTray({ afterMenu: ['{"type":"ready"}'], then: 'exit:3', stderr: 'warming up\nboom: the host failed\n' }, 2);
  await seen.until((s) => s.headless.length === 1);
  assert.match(seen.headless[0]!, /^the tray host node stopped \(exit code 3\): boom: the host failed, and it was restarted 2 times already$/);
  assert.equal(seen.logs.filter((l) => l.startsWith('tray icon shown')).length, 3);
  assert.deepEqual(seen.logs.filter((l) => l.includes('starting it again')).map((l) => l.replace(/.*\(/, '(')), ['(1 of 2)', '(2 of 2)']);
  assert.deepEqual(record(), ['icons:00000100', 'menu', 'icons:00000100', 'menu', 'icons:00000100', 'menu']);
});

test('a host that dies before showing its icon is not retried: the reason is its last stderr line', async () => {
  const { seen, record } = fixtureTray({ afterMenu: [], then: 'exit:1', stderr: 'Add-Type : Cannot add type. Language mode is ConstrainedLanguage.\r\n' });
  await seen.until((s) => s.headless.length === 1);
  assert.equal(seen.headless[0], 'the tray host node stopped (exit code 1): Add-Type : Cannot add type. Language mode is ConstrainedLanguage.');
  assert.deepEqual(seen.logs, []);
  assert.deepEqual(record(), ['icons:00000100', 'menu']);
});

test('a host program that does not exist sends the helper headless with the spawn error', async () => {
  const seen = new Seen();
  new ScriptTray({ argv: ['/nonexistent/osascript', '-l', 'JavaScript'], platform: 'darwin', menu: MENU, onClick: () => {}, log: (l) => seen.logs.push(l), onHeadless: (r) => (seen.headless.push(r), seen.note()) });
  await seen.until((s) => s.headless.length === 1);
  assert.match(seen.headless[0]!, /^the tray host osascript could not be started \(spawn \/nonexistent\/osascript ENOENT\)$/);
});

test('afterHostExit: restart only a host that had worked, and only up to the limit', () => {
  const exit = { code: 2, signal: null, stderr: '' };
  assert.deepEqual(afterHostExit({ restarts: 0, wasReady: true, program: 'p' }, exit, 3), { restart: true, log: 'tray: the tray host p stopped (exit code 2); starting it again (1 of 3)' });
  assert.deepEqual(afterHostExit({ restarts: 3, wasReady: true, program: 'p' }, exit, 3), { restart: false, reason: 'the tray host p stopped (exit code 2), and it was restarted 3 times already' });
  assert.deepEqual(afterHostExit({ restarts: 0, wasReady: false, program: 'p' }, { ...exit, code: null, signal: 'SIGKILL' }), { restart: false, reason: 'the tray host p stopped (signal SIGKILL)' });
  assert.equal(afterHostExit({ restarts: 0, wasReady: true, program: 'p' }, exit, 0).restart, false, 'a limit of 0 never restarts');
});

// startTray picks the script host on Windows and macOS. Their interpreters do not exist on this
// machine, so the real spawn fails, which is exactly the headless path people get when a host
// cannot start: the log line says why.
test('startTray on Windows and macOS runs the script host, and goes headless with the reason when it cannot start', { skip: process.platform !== 'linux' ? 'expects powershell.exe and osascript to be missing' : false }, async () => {
  for (const [hostOs, env, expected] of [
    ['darwin', {}, /^running headless: the tray host osascript could not be started \(spawn \/usr\/bin\/osascript ENOENT\); open http/],
    ['win32', { SESSIONNAME: 'Console', SystemRoot: '/nonexistent' }, /^running headless: the tray host powershell\.exe could not be started \(spawn .*powershell\.exe ENOENT\)/],
    ['win32', {}, /^running headless: no interactive desktop session \(SESSIONNAME is not set/],
    ['darwin', { SSH_CONNECTION: '10.0.0.2 51234 10.0.0.1 22' }, /^running headless: an SSH login has no menu bar/],
  ] as const) {
    const seen = new Seen();
    const deps: TrayDeps = {
      env: { ...env },
      os: hostOs,
      url: URL,
      log: (l) => (seen.logs.push(l), seen.note()),
      listVms: async () => [],
      autostart: { get: async () => false, set: async () => {} },
      pairUrl: () => `${URL}pair`,
      openUrl: () => {},
      quit: () => {},
    };
    const tray = await startTray(deps);
    await seen.until((s) => s.logs.some((l) => l.startsWith('running headless')));
    assert.match(seen.logs.find((l) => l.startsWith('running headless'))!, expected);
    tray?.close();
  }
});
