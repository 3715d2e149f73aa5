import type { VmState } from '@openutm/shared';
import { cx } from '../cx';

const LOOK: Record<VmState, { label: string; className: string; dot: string }> = {
  stopped: { label: 'Stopped', className: 'bg-neutral-100 text-neutral-700 dark:bg-neutral-800 dark:text-neutral-300', dot: 'bg-neutral-400' },
  starting: { label: 'Starting', className: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-200', dot: 'bg-amber-500 animate-pulse' },
  running: { label: 'Running', className: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200', dot: 'bg-emerald-500' },
  paused: { label: 'Paused', className: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200', dot: 'bg-sky-500' },
  stopping: { label: 'Stopping', className: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-200', dot: 'bg-amber-500 animate-pulse' },
  crashed: { label: 'Crashed', className: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200', dot: 'bg-red-500' },
  suspending: { label: 'Suspending', className: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-200', dot: 'bg-amber-500 animate-pulse' },
  suspended: { label: 'Suspended', className: 'bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-200', dot: 'bg-violet-500' },
};

// A VM's state; one fixed width for every state, so a change never moves what is around it.
export function StateBadge({ state }: { state: VmState }) {
  const look = LOOK[state];
  return (
    <span
      data-testid="state-badge"
      data-state={state}
      className={cx('inline-flex w-[6.5rem] shrink-0 items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium', look.className)}
    >
      <span aria-hidden className={cx('size-2 shrink-0 rounded-full', look.dot)} />
      {look.label}
    </span>
  );
}
