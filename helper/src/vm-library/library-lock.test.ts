import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isOpenUtmError } from '@openutm/shared';
import { LibraryLock } from './library-lock';
import { LineReader, spawnFixture } from './fixtures/run-fixture';

async function tempRoot(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'openutm-lock-'));
}

// The pid of a process that has exited (and been reaped), for planting stale locks.
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  assert.ok(child.pid !== undefined);
  return child.pid;
}

function staleRecord(pid: number, hostname = os.hostname()): string {
  return JSON.stringify({ pid, hostname, startedAt: '2024-01-01T00:00:00.000Z', purpose: 'a helper that crashed', nonce: String(Math.random()) }) + '\n';
}

async function lockPid(root: string): Promise<number> {
  return (JSON.parse(await readFile(path.join(root, '.lock'), 'utf8')) as { pid: number }).pid;
}

test('a second lock in the same process is refused with LIBRARY_LOCKED, and works after release', async () => {
  const root = await tempRoot();
  try {
    const first = await LibraryLock.acquire(root, { purpose: 'the first helper' });
    await assert.rejects(LibraryLock.acquire(root, { purpose: 'the second helper' }), (e: unknown) => {
      assert.ok(isOpenUtmError(e));
      assert.equal(e.code, 'LIBRARY_LOCKED');
      assert.match(e.message, new RegExp(`the first helper \\(pid ${process.pid}, started `));
      return true;
    });
    await first.release();
    assert.deepEqual(await readdir(root), []);
    const second = await LibraryLock.acquire(root, { purpose: 'the second helper' });
    assert.equal(await lockPid(root), process.pid);
    await second.release();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a lock held by another live process is refused, naming its pid', async () => {
  const root = await tempRoot();
  const child = spawnFixture('lock-holder.ts', [root, 'hold']);
  const reader = new LineReader(child);
  try {
    await reader.next((l) => l === 'ready');
    child.stdin.write('go\n');
    assert.equal(await reader.next((l) => l === 'won' || l.startsWith('locked')), 'won');
    await assert.rejects(LibraryLock.acquire(root, { purpose: 'test' }), (e: unknown) => {
      assert.ok(isOpenUtmError(e));
      assert.equal(e.code, 'LIBRARY_LOCKED');
      assert.match(e.message, new RegExp(`pid ${child.pid}\\b`));
      assert.equal(e.details?.pid, child.pid);
      return true;
    });
    child.stdin.end();
    await reader.closed;
    const lock = await LibraryLock.acquire(root, { purpose: 'test' });
    await lock.release();
  } finally {
    child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  }
});

test('process.exit drops the lock through the exit handler', async () => {
  const root = await tempRoot();
  try {
    const child = spawnFixture('lock-holder.ts', [root, 'exit']);
    const reader = new LineReader(child);
    await reader.next((l) => l === 'ready');
    child.stdin.write('go\n');
    await reader.closed;
    assert.deepEqual(reader.lines, ['ready', 'won']);
    assert.deepEqual(await readdir(root), []);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a lock left by a dead process is taken over', async () => {
  const root = await tempRoot();
  try {
    await writeFile(path.join(root, '.lock'), staleRecord(await deadPid()));
    const lock = await LibraryLock.acquire(root, { purpose: 'test' });
    assert.equal(await lockPid(root), process.pid);
    assert.deepEqual(await readdir(root), ['.lock']);
    await lock.release();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a stale lock whose previous taker also died mid-takeover is still taken over', async () => {
  const root = await tempRoot();
  try {
    const stale = staleRecord(await deadPid());
    await writeFile(path.join(root, '.lock'), stale);
    const markerName = `.lock.takeover-${createHash('sha256').update(stale).digest('hex')}`;
    await writeFile(path.join(root, markerName), staleRecord(await deadPid()));
    await writeFile(path.join(root, `.lock.candidate-${await deadPid()}-abcdef012345`), staleRecord(1));
    const lock = await LibraryLock.acquire(root, { purpose: 'test' });
    assert.equal(await lockPid(root), process.pid);
    assert.deepEqual(await readdir(root), ['.lock'], 'the dead taker’s marker and candidate are cleaned up');
    await lock.release();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a lock written on another computer is never taken over, even with a dead pid', async () => {
  const root = await tempRoot();
  try {
    await writeFile(path.join(root, '.lock'), staleRecord(await deadPid(), 'some-other-computer'));
    await assert.rejects(LibraryLock.acquire(root, { purpose: 'test' }), (e: unknown) => {
      assert.ok(isOpenUtmError(e));
      assert.equal(e.code, 'LIBRARY_LOCKED');
      assert.match(e.message, /on the computer "some-other-computer"/);
      assert.match(e.message, /delete .*\.lock/);
      return true;
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('an unreadable lock file (not written by a helper) is treated as stale', async () => {
  const root = await tempRoot();
  try {
    await writeFile(path.join(root, '.lock'), 'garbage');
    const lock = await LibraryLock.acquire(root, { purpose: 'test' });
    assert.equal(await lockPid(root), process.pid);
    await lock.release();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('release leaves a lock that is no longer ours alone', async () => {
  const root = await tempRoot();
  try {
    const lock = await LibraryLock.acquire(root, { purpose: 'test' });
    const successor = staleRecord(process.pid);
    await writeFile(path.join(root, '.lock'), successor);
    await lock.release();
    assert.equal(await readFile(path.join(root, '.lock'), 'utf8'), successor);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('of several processes racing to take over one stale lock, exactly one wins', async (t) => {
  const rounds = 5;
  const racers = 3;
  for (let round = 0; round < rounds; round++) {
    const root = await tempRoot();
    const children = Array.from({ length: racers }, () => spawnFixture('lock-holder.ts', [root, 'hold']));
    try {
      await writeFile(path.join(root, '.lock'), staleRecord(await deadPid()));
      const readers = children.map((c) => new LineReader(c));
      await Promise.all(readers.map((r) => r.next((l) => l === 'ready')));
      for (const c of children) c.stdin.write('go\n');
      const outcomes = await Promise.all(readers.map((r) => r.next((l) => l === 'won' || l.startsWith('locked'))));
      const winners = children.filter((_, i) => outcomes[i] === 'won');
      assert.equal(winners.length, 1, `round ${round}: outcomes ${outcomes.join(', ')}`);
      assert.deepEqual(outcomes.filter((o) => o !== 'won'), Array(racers - 1).fill('locked LIBRARY_LOCKED'));
      assert.equal(await lockPid(root), winners[0]!.pid);
      assert.deepEqual(await readdir(root), ['.lock'], 'no candidate or takeover file is left behind');
      for (const c of children) c.stdin.end();
      await Promise.all(readers.map((r) => r.closed));
      assert.deepEqual(await readdir(root), [], 'the winner released the lock when it stopped');
    } finally {
      for (const c of children) c.kill('SIGKILL');
      await rm(root, { recursive: true, force: true });
    }
  }
  t.diagnostic(`${rounds} rounds of ${racers} racers`);
});
