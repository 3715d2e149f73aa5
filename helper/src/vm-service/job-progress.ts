import { randomBytes } from 'node:crypto';
import { OpenUtmError, type JobProgress } from '@openutm/shared';

// What a long operation reports as it goes: how far it is, out of what, and what it is doing.
export interface JobStep {
  done: number;
  total: number;
  label: string;
}

export type ReportStep = (step: JobStep) => void;

export interface JobOptions {
  // The client's id for the job (from the request), else one is made up.
  job?: string;
  // The VM the job is about, for viewers that show progress per VM.
  vm?: string;
  kind: NonNullable<JobProgress['kind']>;
  label: string;
  emit: (progress: JobProgress) => void;
}

// A made-up job id for requests that came without one (the CLI, older UIs).
export function newJobId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

// Runs work as a job: one `running` event at once (so viewers can show the job before the first
// byte is copied), `running` events while work reports steps, then one `done` or `failed`.
// Steps are smoothed into what viewers can rely on: done never goes backwards nor past total,
// and a step is sent only when it moves the whole percentage, so a chatty copy does not flood
// every client (at most ~100 events per job, whatever the speed).
export async function runJob<T>(opts: JobOptions, work: (report: ReportStep) => Promise<T>): Promise<T> {
  const job = opts.job ?? newJobId('job');
  let last: JobStep = { done: 0, total: 1, label: opts.label };
  let lastPercent = -1;
  const send = (step: JobStep, state: NonNullable<JobProgress['state']>, error?: JobProgress['error']) => {
    opts.emit({ job, ...(opts.vm === undefined ? {} : { vm: opts.vm }), kind: opts.kind, ...step, state, ...(error ? { error } : {}) });
  };
  const report: ReportStep = (step) => {
    const total = Math.max(1, step.total);
    const done = Math.min(total, Math.max(step.done, last.total === total ? last.done : 0));
    const percent = Math.floor((done / total) * 100);
    const labelChanged = step.label !== last.label;
    last = { done, total, label: step.label };
    if (percent === lastPercent && !labelChanged) return;
    lastPercent = percent;
    send(last, 'running');
  };
  report(last);
  try {
    const result = await work(report);
    send({ ...last, done: last.total }, 'done');
    return result;
  } catch (e) {
    const err = e instanceof OpenUtmError ? e : null;
    send(last, 'failed', { code: err?.code ?? 'INTERNAL', message: e instanceof Error ? e.message : String(e) });
    throw e;
  }
}
