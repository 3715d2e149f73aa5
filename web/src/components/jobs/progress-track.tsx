'use client';

import { cx } from '../cx';

// The bar itself, for anything that shows how far it has got: role=progressbar with a whole
// percent in aria-valuenow, or an indeterminate pulse while `percent` is null. A div, not
// <progress>: Chromium took ~1.5 ms of the page's main thread for each new <progress> value,
// ten times a second through a file copy that shares the CPU with the guest.
export function ProgressTrack({ percent, label, valueText, testId, className }: { percent: number | null; label: string; valueText?: string; testId?: string; className?: string }) {
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent ?? undefined}
      aria-valuetext={valueText}
      data-testid={testId}
      className={cx('relative overflow-hidden rounded-full bg-neutral-200 dark:bg-neutral-700', className)}
    >
      <div className={cx('h-full rounded-full bg-sky-600', percent === null && 'w-1/3 animate-pulse')} style={percent === null ? undefined : { width: `${percent}%` }} />
    </div>
  );
}
