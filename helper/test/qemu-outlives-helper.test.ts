import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import { isAlive } from '../src/qemu-process/process-control';
import { testGuest } from './support/test-guest';
import { waitForText } from './support/wait';

// QEMU is detached by the helper (its own session) rather than by -daemonize: a helper process
// killed outright leaves its VMs running, and the next helper re-attaches to them.
const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/start-vm-then-die.ts');

// Field 6 of /proc/<pid>/stat: the session id.
async function sessionOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
}

test('a VM started by a helper that is then killed keeps running in its own session, and the next helper re-attaches', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'openutm-outlive-'));
  let engine: VmEngine | undefined;
  let qemuPid = 0;
  try {
    const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', FIXTURE, home], { cwd: path.dirname(FIXTURE) }).catch((e: { stdout?: string; signal?: string }) => e);
    assert.equal((run as { signal?: string }).signal, 'SIGKILL', 'the first helper died by SIGKILL');
    const [id, pid] = (run.stdout ?? '').trim().split(' ');
    qemuPid = Number(pid);
    assert.ok(isAlive(qemuPid), 'QEMU outlived its helper');
    assert.equal(await sessionOf(qemuPid), qemuPid, 'QEMU leads a session of its own');
    engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: lazyHostFacts(), acceleratorOverride: 'tcg' });
    const status = await engine.status(id!);
    assert.equal(status.state, 'running');
    assert.equal(status.pid, qemuPid);
    await waitForText(engine.paths(id!).serialLog, testGuest().marker, 120_000);
    assert.equal((await engine.kill(id!)).state, 'stopped');
  } finally {
    if (qemuPid && isAlive(qemuPid)) process.kill(qemuPid, 'SIGKILL');
    await engine?.close();
    await rm(home, { recursive: true, force: true });
  }
});
