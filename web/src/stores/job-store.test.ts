import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobProgress } from '@openutm/shared';
import { vmJob } from './job-store';

const step = (job: string, vm: string, kind?: JobProgress['kind']): JobProgress => ({ job, vm, done: 1, total: 2, label: job, state: 'running', ...(kind ? { kind } : {}) });

test("a VM's clone is told apart from a disk image being imported into it; a job without kind (older helper) is a clone", () => {
  const jobs = new Map([
    ['c1', step('c1', 'vm1', 'clone')],
    ['e1', step('e1', 'vm1', 'edit')],
    ['old', step('old', 'vm2')],
  ]);
  assert.equal(vmJob(jobs, 'vm1')?.job, 'e1', 'without a kind, the newest job about the VM');
  assert.equal(vmJob(jobs, 'vm1', 'clone')?.job, 'c1');
  assert.equal(vmJob(jobs, 'vm1', 'edit')?.job, 'e1');
  assert.equal(vmJob(jobs, 'vm2', 'clone')?.job, 'old');
  assert.equal(vmJob(jobs, 'vm2', 'edit'), undefined);
  assert.equal(vmJob(jobs, 'vm3'), undefined);
});
