import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runProgram } from './run-program';

// runProgram with real child programs (this Node running tiny scripts): an exit code is an
// answer, a hang is cut off at the limit, a missing program is "not found", and no shell
// ever reads the arguments.

const node = process.execPath;

test('a nonzero exit is an answer: exited with its code and both outputs', async () => {
  const r = await runProgram(node, ['-e', 'process.stdout.write("out\\n"); process.stderr.write("err"); process.exit(3)'], 30_000);
  assert.deepEqual(r, { exited: true, code: 3, stdout: 'out\n', stderr: 'err' });
});

test('arguments reach the program as they are, with no shell in between', async () => {
  const hostile = ['a b', '$(echo no)', '"quoted"', '; rm -rf /', 'ü,comma'];
  const r = await runProgram(node, ['-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...hostile], 30_000);
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.stdout), hostile);
});

test('a program that never answers is killed at the limit and says so', async () => {
  const r = await runProgram(node, ['-e', 'process.stdout.write("partial"); setInterval(() => {}, 1000)'], 500);
  assert.equal(r.exited, false);
  assert.equal(r.code, null);
  assert.equal(r.failure, 'no answer within 500 ms');
});

test('a missing program is "not found", not an exception', async () => {
  const r = await runProgram('/nonexistent/openutm-no-such-program', ['--version'], 30_000);
  assert.equal(r.exited, false);
  assert.equal(r.failure, 'not found');
});
