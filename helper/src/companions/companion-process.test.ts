import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../qemu-process/process-control';
import { companionLogFile, findCompanions, startCompanion, stopCompanions, type CompanionSpec } from './companion-process';

// The supervisor with small real programs standing in for companions (sh, sleep): readiness,
// early exits, timeouts, the record a restarted helper finds, and ending them.

const dirs: string[] = [];
const SH = '/bin/sh';

async function runtimeDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-companion-'));
  dirs.push(dir);
  return dir;
}

function spec(dir: string, script: string, ready: CompanionSpec['ready'], readyTimeoutMs = 10_000): CompanionSpec {
  return { name: 'fixture', binary: SH, args: ['-c', script], cwd: dir, runtimeDir: dir, ready, readyTimeoutMs };
}

const fileExists = (file: string) => () => Promise.resolve(existsSync(file));

after(async () => {
  for (const dir of dirs) {
    await stopCompanions(dir);
    await rm(dir, { recursive: true, force: true });
  }
});

test('a companion runs detached once ready, logs into the runtime dir, is found again and ended', async () => {
  const dir = await runtimeDir();
  const flag = path.join(dir, 'ready');
  const started = await startCompanion(spec(dir, `echo hello from the companion; touch ${flag}; sleep 60`, fileExists(flag)));
  assert.ok(isAlive(started.pid));
  assert.deepEqual(await findCompanions(dir), [{ name: 'fixture', pid: started.pid }]);
  await stopCompanions(dir);
  assert.equal(isAlive(started.pid), false, 'ended');
  assert.deepEqual(await findCompanions(dir), [], 'its record is gone');
  assert.match(await readFile(companionLogFile(dir, 'fixture'), 'utf8'), /hello from the companion/);
});

test('a companion that exits before it is ready fails the start with the end of its log', async () => {
  const dir = await runtimeDir();
  await assert.rejects(
    startCompanion(spec(dir, 'echo "cannot open the state dir" >&2; exit 3', () => Promise.resolve(false))),
    (e: Error & { code?: string }) => e.code === 'COMPANION_FAILED' && /fixture exited \(3\)/.test(e.message) && /cannot open the state dir/.test(e.message),
  );
});

test('a companion that never gets ready is ended after the time limit', async () => {
  const dir = await runtimeDir();
  const started = startCompanion(spec(dir, 'echo $$ > pid; sleep 60', () => Promise.resolve(false), 500));
  await assert.rejects(started, (e: Error & { code?: string }) => {
    assert.equal(e.code, 'COMPANION_FAILED');
    assert.match(e.message, /was not ready within/);
    return true;
  });
  const pid = Number((await readFile(path.join(dir, 'pid'), 'utf8')).trim());
  assert.equal(isAlive(pid), false, 'killed, not left behind');
});

test('a missing program is COMPANION_NOT_FOUND', async () => {
  const dir = await runtimeDir();
  const missing = { ...spec(dir, '', () => Promise.resolve(true)), binary: path.join(dir, 'no-such-swtpm') };
  await assert.rejects(startCompanion(missing), { code: 'COMPANION_NOT_FOUND' });
});

test('a record whose pid now belongs to another program is neither adopted nor killed', async () => {
  const dir = await runtimeDir();
  // This test process stands in for whatever reused the pid: it is alive and is not /bin/sh.
  await writeFile(path.join(dir, 'fixture.companion.json'), JSON.stringify({ pid: process.pid, binary: SH }));
  assert.deepEqual(await findCompanions(dir), []);
  await stopCompanions(dir);
  assert.ok(isAlive(process.pid));
});
