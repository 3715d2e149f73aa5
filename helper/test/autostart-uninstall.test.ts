import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../src/qemu-process/process-control';
import { REPO_ROOT } from './support/test-guest';

// The real CLI (the built bundle, as people run it) against a temp HOME: autostart writes into
// it and uninstall clears it. Linux only: elsewhere it would write the real registry/launchd.
const BUNDLE = path.join(REPO_ROOT, 'helper/dist/openutm.cjs');
const skip = process.platform !== 'linux' ? 'autostart and uninstall write to the real registry/LaunchAgents on this OS; their text is tested in src/autostart' : false;
let tmp: string;
let home: string;
let lib: string;
let port: number;

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, HOME: home, OPENUTM_HOME: lib, OPENUTM_PORT: String(port), XDG_RUNTIME_DIR: path.join(tmp, 'run'), OPENUTM_ACCEL: 'tcg' };
  // No desktop session: the helper these tests start must run headless (and say so).
  for (const k of ['XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME', 'DISPLAY', 'WAYLAND_DISPLAY', 'DBUS_SESSION_BUS_ADDRESS']) delete e[k];
  return e;
}

function openutm(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BUNDLE, ...args], { env: env(), encoding: 'utf8', input, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function helperPid(): number | null {
  try {
    return (JSON.parse(readFileSync(path.join(lib, '.lock'), 'utf8')) as { pid: number }).pid;
  } catch {
    return null;
  }
}

async function stopHelper(): Promise<void> {
  const pid = helperPid();
  if (pid === null || !isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  while (isAlive(pid)) await sleep(50);
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'openutm-uninstall-'));
  home = path.join(tmp, 'home with space');
  lib = path.join(home, 'VMs ünï');
  mkdirSync(home, { recursive: true });
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
});
after(async () => {
  await stopHelper();
  rmSync(tmp, { recursive: true, force: true });
});

test('autostart enable → status → disable round trip through the real CLI', { skip }, () => {
  const file = path.join(home, '.config', 'autostart', 'openutm.desktop');
  assert.match(openutm(['autostart', 'status']).stdout, /^off/);
  const on = openutm(['autostart', 'enable']);
  assert.equal(on.code, 0, on.stderr);
  assert.match(on.stdout, /will start at login/);
  // The bundle run by this very node, both absolute: what a login session can start.
  const exec = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('Exec='));
  assert.equal(exec, `Exec=${process.execPath.includes(' ') ? `"${process.execPath}"` : process.execPath} ${BUNDLE.includes(' ') ? `"${BUNDLE}"` : BUNDLE} serve`);
  assert.deepEqual(JSON.parse(openutm(['autostart', 'status', '--json']).stdout), { enabled: true, current: true, where: file });
  assert.match(openutm(['autostart', 'enable']).stdout, /already starts at login/);
  const off = openutm(['autostart', 'disable']);
  assert.match(off.stdout, /no longer starts at login/);
  assert.equal(existsSync(file), false);
  assert.match(openutm(['autostart', 'disable']).stdout, /did not start at login/);
  const bad = openutm(['autostart', 'sometimes']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /enable, disable, status/);
});

test('serve --background (what Windows runs at login) starts a detached helper and returns at once', { skip }, () => {
  const first = openutm(['serve', '--background']);
  assert.equal(first.code, 0, first.stderr);
  const started = /started the OpenUTM helper \(pid (\d+)\) in the background; its log is (.+)$/m.exec(first.stdout);
  assert.ok(started, first.stdout);
  assert.equal(Number(started[1]), helperPid(), 'the background helper owns the library');
  assert.ok(isAlive(Number(started[1])), 'it outlives the command that started it');
  assert.equal(started[2], path.join(lib, 'logs', 'helper.log'));
  const second = openutm(['serve', '--background']);
  assert.match(second.stdout, new RegExp(`a helper already listens on port ${port}; nothing started`));
  assert.equal(helperPid(), Number(started[1]));
});

test('uninstall refuses while the helper runs, asks first, then removes every trace but the VMs', { skip }, async () => {
  assert.equal(openutm(['autostart', 'enable']).code, 0);
  const created = openutm(['create', '--name', 'Keep me', '--preset', 'other', '--disk', '64M', '--json']);
  assert.equal(created.code, 0, created.stderr);
  const vmId = (JSON.parse(created.stdout) as { config: { id: string } }).config.id;
  const vmFolder = path.join(lib, 'vms', vmId);
  const runtime = path.join(tmp, 'run', 'openutm');
  const cache = path.join(home, '.cache', 'OpenUTM');
  mkdirSync(cache, { recursive: true });
  writeFileSync(path.join(cache, 'ui.tar'), 'x');
  assert.ok(existsSync(path.join(lib, 'secrets.json')) && existsSync(path.join(lib, 'logs', 'helper.log')) && existsSync(runtime));
  assert.match(readFileSync(path.join(lib, 'logs', 'helper.log'), 'utf8'), /running headless: no desktop session \(neither DISPLAY nor WAYLAND_DISPLAY is set\); open http:\/\/127\.0\.0\.1:\d+\/ in a browser/);

  const refused = openutm(['uninstall', '--yes']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /helper \(pid \d+\) is running.*\[CONFLICT\]/s);
  assert.ok(existsSync(path.join(lib, 'secrets.json')), 'nothing removed while refused');
  await stopHelper();

  const declined = openutm(['uninstall'], 'no\n');
  assert.equal(declined.code, 1);
  assert.match(declined.stdout, /will remove:[\s\S]*openutm\.desktop[\s\S]*secrets\.json[\s\S]*keep your VMs: 1/);
  assert.match(declined.stderr, /nothing removed/);
  assert.ok(existsSync(path.join(lib, 'secrets.json')));

  const done = openutm(['uninstall', '--json'], 'yes\n');
  assert.equal(done.code, 2, 'JSON output has no prompt to answer: --yes is required');
  const yes = openutm(['uninstall'], 'yes\n');
  assert.equal(yes.code, 0, yes.stderr);
  // (The lock went with the helper that held it.)
  assert.equal(existsSync(path.join(lib, '.lock')), false);
  for (const gone of [path.join(home, '.config', 'autostart', 'openutm.desktop'), path.join(lib, 'secrets.json'), path.join(lib, 'logs'), runtime, cache]) {
    assert.equal(existsSync(gone), false, `${gone} removed`);
    assert.ok(yes.stdout.includes(gone), `${gone} reported as removed`);
  }
  assert.deepEqual(readdirSync(lib), ['vms'], 'only the VMs remain in the library');
  assert.ok(existsSync(path.join(vmFolder, 'vm.json')), 'the VM is kept');
  assert.match(yes.stdout, new RegExp(`kept your 1 VM\\(s\\) in ${lib.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.match(openutm(['uninstall', '--yes']).stdout, /nothing to remove/);
});
