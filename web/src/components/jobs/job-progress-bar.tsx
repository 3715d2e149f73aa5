'use client';

import type { JobProgress } from '@openutm/shared';
import { cx } from '../cx';
import { ProgressTrack } from './progress-track';

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
      <ProgressTrack percent={percent} label={label} valueText={text} testId="job-progress" className="h-2 w-24 shrink-0" />
      <span className="truncate tabular-nums text-neutral-600 dark:text-neutral-400">{text}</span>
    </div>
  );
}
