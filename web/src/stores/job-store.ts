import type { JobProgress } from '@openutm/shared';
import { createStore, useStore } from './create-store';

// The long operations (clone, create) the helper says are under way, by job id, from its
// job.progress events only. A finished job leaves; a failed one stays with its error until a
// newer job for the same VM starts, so a card can say why its clone went away.
export const jobStore = createStore<ReadonlyMap<string, JobProgress>>(new Map());

// job.progress.
export function jobProgressReceived(progress: JobProgress): void {
  const next = new Map(jobStore.get());
  next.delete(progress.job);
  if (progress.state !== 'done') {
    // A new job for a VM replaces that VM's failed one.
    if (progress.vm !== undefined) {
      for (const [id, held] of next) if (held.vm === progress.vm && held.state === 'failed') next.delete(id);
    }
    next.set(progress.job, progress);
  }
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
