'use client';

import type { JobProgress } from '@openutm/shared';
import { cx } from '../cx';

// Whole percent of a job, or null before its first step is known.
export function jobPercent(progress: JobProgress | undefined): number | null {
  if (progress === undefined || progress.total <= 0) return null;
  return Math.min(100, Math.floor((progress.done / progress.total) * 100));
}

// A long operation's progress as the helper reports it: a real bar (role=progressbar with
// aria-valuenow) once a step is known, an indeterminate one until then. Its height never
// changes, so the bar coming and going moves nothing around it.
export function JobProgressBar({ progress, label, className }: { progress: JobProgress | undefined; label: string; className?: string }) {
  const percent = jobPercent(progress);
  const text = progress === undefined ? 'Starting…' : `${progress.label} · ${percent}%`;
  return (
    <div className={cx('flex min-w-0 items-center gap-2 text-xs', className)}>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={text}
        data-testid="job-progress"
        className="relative h-2 w-24 shrink-0 overflow-hidden rounded-full bg-neutral-200 dark:bg-neutral-700"
      >
        <div
          className={cx('h-full rounded-full bg-sky-600', percent === null && 'w-1/3 animate-pulse')}
          style={percent === null ? undefined : { width: `${percent}%` }}
        />
      </div>
      <span className="truncate tabular-nums text-neutral-600 dark:text-neutral-400">{text}</span>
    </div>
  );
}
