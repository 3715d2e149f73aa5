import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { JobProgress } from '@openutm/shared';
import { jobProgressReceived, jobRunning, jobsForgotten, jobStore, vmJob } from './job-store';

const step = (job: string, state: JobProgress['state'], done: number, vm?: string): JobProgress => ({
  job,
  ...(vm === undefined ? {} : { vm }),
  done,
  total: 100,
  label: 'Copying disk 1 of 1',
  state,
});

beforeEach(() => jobsForgotten());

test('a running job is held by id and replaced by its next step', () => {
  jobProgressReceived(step('a', 'running', 10, 'vmone'));
  jobProgressReceived(step('a', 'running', 40, 'vmone'));
  assert.deepEqual([...jobStore.get().values()].map((p) => p.done), [40]);
  assert.equal(jobRunning(jobStore.get().get('a')), true);
});

test('events from helpers without state count as running', () => {
  const { state: _dropped, ...old } = step('old', 'running', 5);
  assert.equal(jobRunning(old), true);
  assert.equal(jobRunning(undefined), false);
});

test('a finished job stays at 100% until another job reports, so the view that started it does not flicker', () => {
  jobProgressReceived(step('create', 'done', 100));
  assert.equal(jobStore.get().get('create')?.state, 'done');
  jobProgressReceived(step('next', 'running', 0));
  assert.deepEqual([...jobStore.get().keys()], ['next'], 'only the newest finished job is kept');
});

test("a failed clone stays with its error until the VM's next job starts", () => {
  jobProgressReceived({ ...step('c1', 'failed', 30, 'vmone'), error: { code: 'IO_ERROR', message: 'disk full' } });
  jobProgressReceived(step('other', 'running', 1, 'vmtwo'));
  assert.equal(jobStore.get().get('c1')?.error?.message, 'disk full', 'another VM does not clear it');
  jobProgressReceived(step('c2', 'running', 0, 'vmone'));
  assert.equal(jobStore.get().has('c1'), false);
  assert.equal(jobRunning(jobStore.get().get('c2')), true);
});

const kindStep = (job: string, vm: string, kind?: JobProgress['kind']): JobProgress => ({ job, vm, done: 1, total: 2, label: job, state: 'running', ...(kind ? { kind } : {}) });

test("a VM's clone is told apart from a disk image being imported into it; a job without kind (older helper) is a clone", () => {
  const jobs = new Map([
    ['c1', kindStep('c1', 'vm1', 'clone')],
    ['e1', kindStep('e1', 'vm1', 'edit')],
    ['old', kindStep('old', 'vm2')],
  ]);
  assert.equal(vmJob(jobs, 'vm1')?.job, 'e1', 'without a kind, the newest job about the VM');
  assert.equal(vmJob(jobs, 'vm1', 'clone')?.job, 'c1');
  assert.equal(vmJob(jobs, 'vm1', 'edit')?.job, 'e1');
  assert.equal(vmJob(jobs, 'vm2', 'clone')?.job, 'old');
  assert.equal(vmJob(jobs, 'vm2', 'edit'), undefined);
  assert.equal(vmJob(jobs, 'vm3'), undefined);
});
