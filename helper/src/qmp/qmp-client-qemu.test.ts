// The QMP client against a real QEMU: what the fake peer cannot prove is that we read QEMU right.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { isOpenUtmError } from '@openutm/shared';
import type { Endpoint } from '../runtime/runtime-paths';
import { QmpClient, type QmpCloseInfo } from './qmp-client';
import type { QmpEvent } from './qmp-messages';

const QEMU = 'qemu-system-x86_64';

function skipReason(): string | false {
  if (process.platform === 'win32') return 'needs unix sockets and -daemonize';
  const probe = spawnSync(QEMU, ['--version'], { stdio: 'ignore' });
  return probe.status === 0 ? false : `${QEMU} is not installed`;
}
const skip = skipReason();

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

interface RunningQemu {
  endpoint: Endpoint;
  pid: number;
}

// Starts a paused, diskless QEMU with its monitor on a unix socket. With -daemonize the launched
// process exits only once the socket listens, so its exit is the readiness signal. Cleanup kills
// whatever the pidfile names, whatever the test did.
async function startQemu(): Promise<RunningQemu> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qmp-qemu-'));
  const socketPath = path.join(dir, 'qmp.sock');
  const pidFile = path.join(dir, 'pid');
  cleanups.push(async () => {
    const pid = await readPid(pidFile);
    if (pid !== null && (await isOurQemu(pid, dir))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(dir, { recursive: true, force: true });
  });
  const args = ['-accel', 'tcg', '-nodefaults', '-S', '-display', 'none', '-m', '64'];
  args.push('-qmp', `unix:${socketPath},server=on,wait=off`, '-daemonize', '-pidfile', pidFile);
  const launcher = spawn(QEMU, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  launcher.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    launcher.once('error', reject);
    launcher.once('exit', resolve);
  });
  assert.equal(code, 0, `QEMU did not start: ${stderr}`);
  const pid = await readPid(pidFile);
  assert.ok(pid !== null, 'QEMU wrote no pidfile');
  return { endpoint: { kind: 'unix', path: socketPath }, pid };
}

async function readPid(pidFile: string): Promise<number | null> {
  const text = await readFile(pidFile, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

// Guards cleanup against a recycled pid: on Linux, only a process whose command line names our
// temp dir is killed.
async function isOurQemu(pid: number, dir: string): Promise<boolean> {
  if (process.platform !== 'linux') return true;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes(dir);
}

// Records events and lets a test wait for the next one of a name (subscribe before acting).
function eventLog(client: QmpClient): { all: QmpEvent[]; next(name: string): Promise<QmpEvent> } {
  const all: QmpEvent[] = [];
  const waiting: { name: string; resolve: (e: QmpEvent) => void }[] = [];
  client.onEvent((event) => {
    all.push(event);
    for (const w of waiting.filter((w) => w.name === event.event)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(event);
    }
  });
  return { all, next: (name) => new Promise((resolve) => waiting.push({ name, resolve })) };
}

async function rejectionOf(promise: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (e) {
    assert.ok(isOpenUtmError(e), `expected an OpenUtmError, got ${String(e)}`);
    return { code: e.code, details: e.details ?? {} };
  }
  assert.fail('expected a rejection');
}

test('real QEMU: status, cont → RESUME, stop → STOP, version, errors, then quit closes', { skip, timeout: 60_000 }, async () => {
  const qemu = await startQemu();
  const client = await QmpClient.connect(qemu.endpoint);
  const events = eventLog(client);
  const closes: QmpCloseInfo[] = [];
  client.onClose((info) => closes.push(info));
  assert.ok(client.greeting.QMP.version.qemu.major >= 7, JSON.stringify(client.greeting));

  const prelaunch = await client.queryStatus();
  assert.equal(prelaunch.status, 'prelaunch');
  assert.equal(prelaunch.running, false);

  const resumed = events.next('RESUME');
  assert.deepEqual(await client.execute('cont'), {});
  await resumed;
  const running = await client.queryStatus();
  assert.equal(running.status, 'running');
  assert.equal(running.running, true);

  const stopped = events.next('STOP');
  await client.execute('stop');
  await stopped;
  const paused = await client.queryStatus();
  assert.equal(paused.status, 'paused');
  assert.equal(paused.running, false);

  const version = await client.queryVersion();
  assert.ok(version.qemu.major >= 7);

  const refused = await rejectionOf(client.execute('no-such-command'));
  assert.equal(refused.code, 'QMP_ERROR');
  assert.equal(refused.details.class, 'CommandNotFound');

  const info = await client.quit();
  assert.equal(info.reason, 'quit');
  assert.deepEqual(closes, [info]);
  const after = await rejectionOf(client.queryStatus());
  assert.equal(after.code, 'QMP_CLOSED');
  assert.deepEqual(
    events.all.map((e) => e.event),
    ['RESUME', 'STOP', ...(info.shutdown ? ['SHUTDOWN'] : [])],
  );
  if (info.shutdown) assert.deepEqual(info.shutdown, { guest: false, reason: 'host-qmp-quit' });
});

test('real QEMU: a call pending when QEMU dies rejects with QMP_CLOSED and close says peer-closed', { skip, timeout: 60_000 }, async () => {
  const qemu = await startQemu();
  const client = await QmpClient.connect(qemu.endpoint);
  const closed = new Promise<QmpCloseInfo>((resolve) => client.onClose(resolve));
  // A stopped process cannot answer, so the call is certainly still pending when it dies.
  process.kill(qemu.pid, 'SIGSTOP');
  const pending = client.queryStatus();
  process.kill(qemu.pid, 'SIGKILL');
  const rejection = await rejectionOf(pending);
  assert.equal(rejection.code, 'QMP_CLOSED');
  assert.equal(rejection.details.command, 'query-status');
  const info = await closed;
  assert.equal(info.reason, 'peer-closed');
  assert.equal(info.shutdown, null);
});
