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
