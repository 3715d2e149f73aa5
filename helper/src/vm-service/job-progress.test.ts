import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenUtmError, type JobProgress } from '@openutm/shared';
import { runJob } from './job-progress';

function recorder(): { events: JobProgress[]; emit: (p: JobProgress) => void } {
  const events: JobProgress[] = [];
  return { events, emit: (p) => events.push(p) };
}

test('a job says running at once, sends each whole percent once, never goes back, and ends done at total', async () => {
  const { events, emit } = recorder();
  const result = await runJob({ job: 'j1', vm: 'abc', kind: 'clone', label: 'Cloning', emit }, async (report) => {
    for (const done of [0, 10, 11, 5, 500, 501, 999, 2000]) report({ done, total: 1000, label: 'Copying disk 1 of 1' });
    return 'ok';
  });
  assert.equal(result, 'ok');
  assert.deepEqual(
    events.map((e) => [e.state, e.done, e.total]),
    [
      ['running', 0, 1],
      ['running', 0, 1000],
      ['running', 10, 1000],
      ['running', 500, 1000],
      ['running', 999, 1000],
      ['running', 1000, 1000],
      ['done', 1000, 1000],
    ],
  );
  assert.ok(events.every((e) => e.job === 'j1' && e.vm === 'abc'));
});

test('a failing job ends with one failed event carrying the error, and the error still reaches the caller', async () => {
  const { events, emit } = recorder();
  await assert.rejects(
    runJob({ kind: 'create', label: 'Creating the VM', emit }, async (report) => {
      report({ done: 1, total: 2, label: 'Creating disk 2 of 2' });
      throw new OpenUtmError('IO_ERROR', 'disk full');
    }),
    /disk full/,
  );
  const last = events.at(-1)!;
  assert.equal(last.state, 'failed');
  assert.deepEqual(last.error, { code: 'IO_ERROR', message: 'disk full' });
  assert.equal(last.done, 1, 'a failure does not claim the work was done');
  assert.match(last.job, /^job-[0-9a-f]{12}$/, 'a job without a client id gets one');
  assert.equal(new Set(events.map((e) => e.job)).size, 1);
});
