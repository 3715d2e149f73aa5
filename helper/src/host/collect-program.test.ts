import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectProgram } from './collect-program';

const POSIX_ONLY = process.platform === 'win32' ? 'uses /bin/sh' : false;
const sh = (script: string) => ['-c', script] as const;

test('collects both streams and the exit code of a program that ends by itself', { skip: POSIX_ONLY }, async () => {
  const r = await collectProgram('/bin/sh', sh('printf out; printf err >&2; exit 3'), { timeoutMs: 30_000, maxBytes: 1024 });
  assert.deepEqual(r, { exitCode: 3, signal: null, stdout: 'out', stderr: 'err', timedOut: false, overflowed: false });
});

test('a program past its time limit is killed and says so', { skip: POSIX_ONLY }, async () => {
  const r = await collectProgram('/bin/sh', sh('printf started; exec sleep 60'), { timeoutMs: 200, maxBytes: 1024 });
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, 'SIGKILL');
  assert.equal(r.stdout, 'started', 'what came before the limit is kept');
});

test('output past the size limit ends the program and is not kept', { skip: POSIX_ONLY }, async () => {
  const r = await collectProgram('/bin/sh', sh('while :; do printf 0123456789; done'), { timeoutMs: 30_000, maxBytes: 64 * 1024 });
  assert.equal(r.overflowed, true);
  assert.equal(r.timedOut, false);
  assert.ok(r.stdout.length <= 64 * 1024, `kept ${r.stdout.length} bytes`);
});

test('onStdout can end the program once it has what it needs', { skip: POSIX_ONLY }, async () => {
  let seen = '';
  const r = await collectProgram('/bin/sh', sh('echo READY; exec sleep 60'), {
    timeoutMs: 30_000,
    maxBytes: 1024,
    onStdout: (chunk, kill) => {
      seen += chunk.toString();
      if (seen.includes('READY')) kill();
    },
  });
  assert.equal(r.timedOut, false, 'ended by the caller, not the limit');
  assert.equal(r.signal, 'SIGKILL');
  assert.equal(r.stdout, 'READY\n');
});

test('a program that cannot start is a start error, not a crash', async () => {
  const r = await collectProgram('/nonexistent/openutm-program', [], { timeoutMs: 30_000, maxBytes: 1024 });
  assert.equal(r.startError?.code, 'ENOENT');
  assert.equal(r.exitCode, null);
});
