import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenUtmError } from '@openutm/shared';
import type { QmpEvent } from '../qmp/qmp-messages';
import { runSnapshotJob, type MonitorForJobs } from './qmp-job';

// A monitor that answers like QEMU does for a snapshot job: the command's reply, then the job's
// status changes as events; query-jobs tells the job's end and error. It records what was asked.
function scriptedMonitor(statuses: string[], error?: string): { qmp: MonitorForJobs; asked: string[] } {
  const asked: string[] = [];
  let listener: ((ev: QmpEvent) => void) | null = null;
  const qmp: MonitorForJobs = {
    execute: <T>(command: string, args?: Record<string, unknown>) => {
      asked.push(command);
      if (command === 'query-jobs') return Promise.resolve([{ id: 'j1', status: 'concluded', ...(error ? { error } : {}) }] as T);
      if (command !== 'job-dismiss') {
        const id = args?.['job-id'];
        setImmediate(() => {
          for (const status of statuses) listener?.({ event: 'JOB_STATUS_CHANGE', data: { id, status }, timestamp: { seconds: 0, microseconds: 0 } });
        });
      }
      return Promise.resolve({} as T);
    },
    onEvent: (l) => {
      listener = l;
      return () => (listener = null);
    },
    onClose: () => () => undefined,
  };
  return { qmp, asked };
}

const cases: Array<{ name: string; statuses: string[]; error?: string; asked: string[]; fails: RegExp | null }> = [
  { name: 'a job that succeeds is dismissed without asking for its error', statuses: ['created', 'running', 'waiting', 'pending', 'concluded'], asked: ['snapshot-save', 'job-dismiss'], fails: null },
  {
    name: 'a job that aborts has its error read from query-jobs and reported',
    statuses: ['created', 'running', 'aborting', 'concluded'],
    error: "Device 'disk0' is writable but does not support snapshots",
    asked: ['snapshot-save', 'query-jobs', 'job-dismiss'],
    fails: /^QEMU could not save the snapshot: Device 'disk0' is writable but does not support snapshots$/,
  },
];

for (const c of cases) {
  test(`runSnapshotJob: ${c.name}`, async () => {
    const { qmp, asked } = scriptedMonitor(c.statuses, c.error);
    const run = runSnapshotJob(qmp, 'snapshot-save', { tag: 't', vmstate: 'disk0', devices: ['disk0'] }, 'j1');
    if (c.fails) await assert.rejects(run, (e: unknown) => e instanceof OpenUtmError && e.code === 'QMP_ERROR' && c.fails!.test(e.message));
    else await run;
    assert.deepEqual(asked, c.asked);
  });
}
