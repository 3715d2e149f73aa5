'use client';

import { canPerform, FEATURES, type VmSummary } from '@openutm/shared';
import { useRef, useState } from 'react';
import { missingFeature } from '../../helper-client/capabilities';
import { errorMessage } from '../../helper-client/client-errors';
import { vmStartTry, vmTryDiscard, vmTryKeep } from '../../helper-client/try-api';
import { useConnection } from '../../stores/connection-store';
import { jobRunning, useVmJob } from '../../stores/job-store';
import { cx } from '../cx';
import { ConfirmDialog } from '../form/confirm-dialog';
import { BUTTON } from '../form/fields';
import { JobProgressBar } from '../jobs/job-progress-bar';

type Busy = 'start' | 'keep' | 'discard' | null;

// Try mode on a card or the VM page: while a try runs, a line saying its changes are throwaway;
// once it stopped (or crashed, or the helper restarted), "Keep or discard the changes from your
// try" with both buttons, Keep showing the commit's progress and Discard asking first. The page
// also offers "Start as a try" to a VM that is off, where the helper knows try mode.
export function TryChoice({ vm, connected, layout }: { vm: VmSummary; connected: boolean; layout: 'card' | 'page' }) {
  const { config, status } = vm;
  const welcome = useConnection().welcome;
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const keepJob = useVmJob(config.id, 'try-keep');
  const card = layout === 'card';

  const run = (what: Exclude<Busy, null>, work: () => Promise<unknown>) => {
    setBusy(what);
    setFailure(null);
    work()
      .catch((e: unknown) => setFailure(`Could not ${what === 'start' ? 'start the try' : `${what} the changes`}: ${errorMessage(e)}`))
      .finally(() => setBusy(null));
  };

  if (status.tryMode === 'active') {
    return (
      <p data-testid="try-active" className="rounded-lg bg-violet-50 px-3 py-2 text-xs text-violet-900 dark:bg-violet-950 dark:text-violet-100">
        Trying: changes go to throwaway copies of the disks. When it stops you keep or discard them.
      </p>
    );
  }

  if (status.tryMode === 'pending') {
    const keeping = busy === 'keep' || jobRunning(keepJob);
    return (
      <section aria-label={`Try of ${config.name}`} data-testid="try-pending" className="space-y-2 rounded-lg border border-violet-300 bg-violet-50 p-3 text-sm text-violet-950 dark:border-violet-700 dark:bg-violet-950 dark:text-violet-50">
        <p className="font-semibold">Keep or discard the changes from your try</p>
        {!card && <p className="text-xs">Keep writes what changed during the try into the VM&apos;s disks. Discard leaves the disks exactly as they were before it.</p>}
        <div className="flex flex-wrap gap-2">
          <button type="button" className={cx(BUTTON.primary, card && 'px-3 py-1')} disabled={!connected || busy !== null || keeping} onClick={() => run('keep', () => vmTryKeep(config.id))}>
            {keeping ? 'Keeping…' : 'Keep changes'}
          </button>
          <button type="button" className={cx(BUTTON.secondary, card && 'px-3 py-1')} disabled={!connected || busy !== null || keeping} onClick={() => dialogRef.current?.showModal()}>
            Discard changes
          </button>
        </div>
        {/* The card shows its jobs over its picture already. */}
        {keeping && !card && <JobProgressBar progress={keepJob} label={`Keeping the changes of ${config.name}`} />}
        <p role="status" className="text-xs text-red-700 empty:hidden dark:text-red-400">
          {failure}
        </p>
        <ConfirmDialog
          dialogRef={dialogRef}
          title="Discard the changes from your try?"
          confirmLabel="Discard changes"
          confirmClass={BUTTON.danger}
          testId="try-discard-dialog"
          onConfirm={() => {
            dialogRef.current?.close();
            run('discard', () => vmTryDiscard(config.id));
          }}
        >
          <p className="text-sm">Everything {config.name} wrote to its disks during the try is thrown away; the disks stay as they were before it.</p>
        </ConfirmDialog>
      </section>
    );
  }

  if (card) return null;
  const unsupported = missingFeature(FEATURES.tryMode, 'start a try', welcome);
  const usable = connected && unsupported === null && canPerform(status.state, 'start');
  return (
    <div className="flex flex-wrap items-center gap-2 text-xs text-neutral-600 dark:text-neutral-400">
      <button type="button" className={BUTTON.secondary} disabled={!usable || busy !== null} onClick={() => run('start', () => vmStartTry(config.id))}>
        {busy === 'start' ? 'Starting the try…' : 'Start as a try'}
      </button>
      <span>{unsupported ?? 'Runs on throwaway copies of the disks; afterwards you keep or discard the changes.'}</span>
      <p role="status" className="basis-full text-red-700 empty:hidden dark:text-red-400">
        {failure}
      </p>
    </div>
  );
}
