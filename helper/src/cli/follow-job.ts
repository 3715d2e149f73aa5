import { randomBytes } from 'node:crypto';
import type { HelperApi } from './command';

// Shows one long request's job.progress on stderr while it runs: a line each time it passes
// another tenth (or changes step), so a terminal sees it is alive and a log is not flooded.
// stdout stays the command's result alone (--json output is unchanged).
export function followJob(api: HelperApi, err: (line: string) => void, what: string): { job: string; stop: () => void } {
  const job = `cli-${randomBytes(6).toString('hex')}`;
  let shown = '';
  const stop = api.on('job.progress', (p) => {
    if (p.job !== job || p.state === 'done' || p.state === 'failed' || p.total <= 0) return;
    const tenth = Math.floor((p.done / p.total) * 10) * 10;
    const line = `${what}: ${p.label} · ${tenth}%`;
    if (line === shown) return;
    shown = line;
    err(line);
  });
  return { job, stop };
}

// Runs one call that reports on a job, its progress on stderr meanwhile. With `onInterrupt`,
// Ctrl-C asks the helper to stop the work (cancel the job, stop the typing) instead of leaving it
// running with nobody watching; the command itself still ends with the call's answer.
export async function withJob<T>(
  api: HelperApi,
  err: (line: string) => void,
  what: string,
  call: (job: string) => Promise<T>,
  onInterrupt?: (job: string) => void,
): Promise<T> {
  const progress = followJob(api, err, what);
  const interrupt = onInterrupt ? () => onInterrupt(progress.job) : null;
  if (interrupt) process.on('SIGINT', interrupt);
  try {
    return await call(progress.job);
  } finally {
    if (interrupt) process.off('SIGINT', interrupt);
    progress.stop();
  }
}
