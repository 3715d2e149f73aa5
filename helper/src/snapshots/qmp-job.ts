import { z } from 'zod';
import { OpenUtmError } from '@openutm/shared';
import type { QmpClient } from '../qmp/qmp-client';

// A snapshot job can write gigabytes of memory state while QEMU's main loop (and so its monitor)
// is busy with it: the command's reply and the job's events come only when it is done.
const JOB_TIMEOUT_MS = 60 * 60_000;

const JobInfo = z.object({ id: z.string(), status: z.string(), error: z.string().optional() });
const JobList = z.array(JobInfo);

export type MonitorForJobs = Pick<QmpClient, 'execute' | 'onEvent' | 'onClose'>;

// Runs one of QEMU's snapshot jobs (snapshot-save, -load, -delete) to its end: starts it, waits
// for JOB_STATUS_CHANGE to `concluded`, reads its error from query-jobs, then dismisses it
// (these jobs are created with manual dismissal). Fails with QMP_ERROR carrying QEMU's words.
export async function runSnapshotJob(qmp: MonitorForJobs, command: string, args: Record<string, unknown>, jobId: string): Promise<void> {
  let concluded!: () => void;
  let lost!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => ((concluded = resolve), (lost = reject)));
  // QEMU may die while the command itself is still waiting for its reply; that rejection is the one reported.
  done.catch(() => undefined);
  // A job that fails passes through `aborting`; one that never did has no error to read, which
  // spares a query-jobs round trip on every success.
  let aborted = false;
  const offEvent = qmp.onEvent((ev) => {
    if (ev.event !== 'JOB_STATUS_CHANGE' || ev.data?.id !== jobId) return;
    if (ev.data?.status === 'aborting') aborted = true;
    if (ev.data?.status === 'concluded') concluded();
  });
  const offClose = qmp.onClose((info) => lost(new OpenUtmError('QMP_CLOSED', `QEMU went away during ${command}: ${info.message}`)));
  try {
    await qmp.execute(command, { 'job-id': jobId, ...args }, { timeoutMs: JOB_TIMEOUT_MS });
    // The events are checked against query-jobs too: one may have gone by before we listened.
    let polled: z.infer<typeof JobInfo> | null = null;
    const timer = setInterval(
      () =>
        void jobStatus(qmp, jobId).then((j) => {
          if (j?.status !== 'concluded') return;
          polled = j;
          concluded();
        }, () => undefined),
      1_000,
    );
    try {
      await done;
    } finally {
      clearInterval(timer);
    }
    const job = polled ?? (aborted ? await jobStatus(qmp, jobId) : null);
    await qmp.execute('job-dismiss', { id: jobId });
    if (job?.error) throw new OpenUtmError('QMP_ERROR', `QEMU could not ${describe(command)}: ${job.error}`, { command });
  } finally {
    offEvent();
    offClose();
  }
}

async function jobStatus(qmp: MonitorForJobs, jobId: string): Promise<z.infer<typeof JobInfo> | null> {
  const jobs = JobList.parse(await qmp.execute('query-jobs'));
  return jobs.find((j) => j.id === jobId) ?? null;
}

function describe(command: string): string {
  if (command === 'snapshot-save') return 'save the snapshot';
  if (command === 'snapshot-load') return 'load the snapshot';
  return 'delete the snapshot';
}
