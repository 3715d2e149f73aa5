import type { JobProgress } from '@openutm/shared';
import { createStore, useStore } from './create-store';

// The long operations (clone, create) the helper reports, by job id, from its job.progress
// events only. A failed job stays with its error until a newer job for the same VM starts, so a
// card can say why its clone went away; the last finished one stays (at 100%) so the view that
// started it does not flicker back to "starting" before its request's answer arrives.
export const jobStore = createStore<ReadonlyMap<string, JobProgress>>(new Map());

// Whether a job is still going (events from helpers before `state` mean it is).
export function jobRunning(progress: JobProgress | undefined): boolean {
  return progress !== undefined && progress.state !== 'done' && progress.state !== 'failed';
}

// job.progress.
export function jobProgressReceived(progress: JobProgress): void {
  const next = new Map(jobStore.get());
  next.delete(progress.job);
  for (const [id, held] of next) {
    // A new job for a VM replaces that VM's ended ones; only the newest finished job is kept.
    if ((progress.vm !== undefined && held.vm === progress.vm && !jobRunning(held)) || held.state === 'done') next.delete(id);
  }
  next.set(progress.job, progress);
  jobStore.set(next);
}

// A new connection: what was under way may have ended unseen; running jobs say so again at
// their next step.
export function jobsForgotten(): void {
  if (jobStore.get().size > 0) jobStore.set(new Map());
}

// One job by the id its request named.
export function useJob(job: string | null): JobProgress | undefined {
  return useStore(jobStore, (jobs) => (job === null ? undefined : jobs.get(job)));
}

// The newest job about one VM (a clone of it, a disk image copied into it), if any; `kind` keeps
// only that kind. Older helpers send no kind, and their only jobs about a VM were clones.
export function vmJob(jobs: ReadonlyMap<string, JobProgress>, vm: string, kind?: NonNullable<JobProgress['kind']>): JobProgress | undefined {
  let found: JobProgress | undefined;
  for (const p of jobs.values()) if (p.vm === vm && (kind === undefined || (p.kind ?? 'clone') === kind)) found = p;
  return found;
}

export function useVmJob(vm: string, kind?: NonNullable<JobProgress['kind']>): JobProgress | undefined {
  return useStore(jobStore, (jobs) => vmJob(jobs, vm, kind));
}
