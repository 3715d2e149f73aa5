import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { VmConfig } from '@openutm/shared';
import { cleanStaleTemps, parseTempName, tempNameFor, writeFileAtomic } from './atomic-write';
import { LineReader, spawnFixture } from './fixtures/run-fixture';
import { configText, versionOf } from './fixtures/versioned-config';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'openutm-atomic-'));
}

test('writeFileAtomic replaces the content and leaves no temp file', async () => {
  const dir = await tempDir();
  try {
    const file = path.join(dir, 'vm.json');
    await writeFileAtomic(file, 'first\n');
    await writeFileAtomic(file, 'second\n');
    assert.equal(await readFile(file, 'utf8'), 'second\n');
    assert.deepEqual(await readdir(dir), ['vm.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomic into a missing folder fails with IO_ERROR and creates nothing', async () => {
  const dir = await tempDir();
  try {
    await assert.rejects(writeFileAtomic(path.join(dir, 'nope', 'vm.json'), 'x'), { code: 'IO_ERROR' });
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('temp names are hidden, carry the pid, and are recognised; config names are not', () => {
  const name = path.basename(tempNameFor('/x/vm.json'));
  assert.match(name, /^\.vm\.json\.tmp-\d+-[0-9a-f]{12}$/);
  assert.deepEqual(parseTempName(name), { target: 'vm.json', pid: process.pid });
  for (const other of ['vm.json', '.vm.json', 'vm.json.tmp-1-aaaaaaaaaaaa', '.vm.json.tmp-x-aaaaaaaaaaaa', '.vm.json.tmp-12-short']) {
    assert.equal(parseTempName(other), null, other);
  }
});

test('cleanStaleTemps removes temp files of other pids only', async () => {
  const dir = await tempDir();
  try {
    const keep = ['vm.json', 'disk.qcow2', '.vm.json.tmp-notes', path.basename(tempNameFor(path.join(dir, 'vm.json')))];
    const stale = ['.vm.json.tmp-999999-0123456789ab', '.last-crash.json.tmp-4-abcdefabcdef'];
    for (const n of [...keep, ...stale]) await writeFile(path.join(dir, n), 'x');
    const removed = await cleanStaleTemps(dir);
    assert.deepEqual(removed.sort(), [...stale].sort());
    assert.deepEqual((await readdir(dir)).sort(), [...keep].sort());
    assert.deepEqual(await cleanStaleTemps(path.join(dir, 'missing')), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// The crash test: writers are SIGKILLed at random moments, thousands of writes in all,
// and after every kill vm.json must parse, pass the schema, and be exactly one written version:
// the last one the writer reported, or the one it was writing when it died.
test('vm.json is always one whole written version when the writer is killed at random points', async (t) => {
  const results = await Promise.all([crashLane(18), crashLane(18)]);
  const kills = results.reduce((s, r) => s + r.kills, 0);
  const writes = results.reduce((s, r) => s + r.writes, 0);
  const temps = results.reduce((s, r) => s + r.tempsCleaned, 0);
  t.diagnostic(`${kills} kills, ${writes} completed writes, ${temps} stale temp files cleaned`);
  assert.equal(kills, 36);
  assert.ok(writes >= kills, 'the writers made progress');
});

async function crashLane(rounds: number): Promise<{ kills: number; writes: number; tempsCleaned: number }> {
  const dir = await tempDir();
  const file = path.join(dir, 'vm.json');
  let onDisk = 0;
  let kills = 0;
  let tempsCleaned = 0;
  try {
    await writeFileAtomic(file, configText(0));
    while (kills < rounds) {
      const child = spawnFixture('atomic-writer.ts', [file, String(onDisk + 1)]);
      const reader = new LineReader(child);
      // Let it complete a random number of writes (0…150), then kill it a random moment later:
      // a write takes a few ms (two fsyncs), so the kill lands anywhere inside the next one.
      const target = onDisk + Math.floor(Math.random() * 151);
      await reader.next((l) => l === 'ready');
      if (target > onDisk) await reader.next((l) => Number(l) >= target);
      await sleep(Math.random() * 8);
      child.kill('SIGKILL');
      await reader.closed;
      kills++;

      const reported = reader.lines.filter((l) => l !== 'ready').map(Number);
      const lastReported = reported.length > 0 ? reported[reported.length - 1]! : onDisk;
      const text = await readFile(file, 'utf8');
      const config = VmConfig.parse(JSON.parse(text));
      const version = versionOf(config);
      assert.ok(version !== null, 'vm.json says which version it is');
      assert.equal(text, configText(version), `vm.json is byte for byte version ${version}`);
      assert.ok(version >= lastReported && version <= lastReported + 1, `version ${version} after the writer reported ${lastReported}`);
      onDisk = version;

      tempsCleaned += (await cleanStaleTemps(dir)).length;
      assert.deepEqual(await readdir(dir), ['vm.json'], 'only vm.json is left once stale temps are cleaned');
    }
    return { kills, writes: onDisk, tempsCleaned };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
