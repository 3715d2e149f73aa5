'use client';

import { canPerform, whyNot, type VmSummary } from '@openutm/shared';
import { useRef } from 'react';
import { vmDiscardState, vmSuspend } from '../../helper-client/api';
import { jobRunning, useVmJob } from '../../stores/job-store';
import { ConfirmDialog } from '../form/confirm-dialog';
import { FailureAlert, useAction } from '../form/use-action';
import { BUTTON } from '../form/fields';
import { JobProgressBar } from '../jobs/job-progress-bar';

// Suspend to disk, and what a suspended VM offers: Start (the toolbar's Resume) continues it
// from its saved state; discarding the state throws what ran in it away, so it asks first.
// Saving and restoring take as long as the VM's memory needs, so both show their progress.
export function SuspendControls({ vm, connected }: { vm: VmSummary; connected: boolean }) {
  const { config, status } = vm;
  const dialogRef = useRef<HTMLDialogElement>(null);
  const { busy, failure, run } = useAction();
  const saving = useVmJob(config.id, 'suspend');
  const restoring = useVmJob(config.id, 'restore');
  const state = status.state;
  const suspendable = state === 'running' || state === 'paused' || state === 'suspending';
  const restoreShown = jobRunning(restoring) && state === 'starting';
  if (!suspendable && state !== 'suspended' && !restoreShown) return null;


  const suspendWhy = !connected ? 'not connected to the helper' : whyNot(state, 'suspend');

  return (
    <section aria-label="Suspend to disk" className="space-y-2 rounded-xl border border-neutral-200 p-3 dark:border-neutral-800" data-testid="suspend-controls">
      {state === 'suspended' ? (
        <div className="flex flex-wrap items-center gap-3">
          <p className="min-w-0 flex-1 text-sm">
            {config.name} is suspended: its memory is saved in its folder. <strong className="font-medium">Resume</strong> continues right where it was.
          </p>
          <button
            type="button"
            className={BUTTON.danger}
            aria-disabled={!connected || busy || !canPerform(state, 'discardState')}
            onClick={() => connected && !busy && dialogRef.current?.showModal()}
          >
            Discard saved state…
          </button>
        </div>
      ) : restoreShown ? (
        <div role="status" data-testid="restore-progress">
          <JobProgressBar progress={restoring} label={`Resuming ${config.name}`} />
        </div>
      ) : (
        <div className="flex flex-wrap items-center gap-3">
          <button
            type="button"
            className={BUTTON.secondary}
            aria-disabled={suspendWhy !== null || busy}
            aria-describedby="suspend-hint"
            onClick={() => suspendWhy === null && !busy && void run('suspend', () => vmSuspend(config.id))}
          >
            {state === 'suspending' ? 'Suspending…' : 'Suspend to disk'}
          </button>
          {jobRunning(saving) || state === 'suspending' ? (
            <div role="status" className="min-w-0 flex-1" data-testid="suspend-progress">
              <JobProgressBar progress={jobRunning(saving) ? saving : undefined} label={`Suspending ${config.name}`} />
            </div>
          ) : (
            <p id="suspend-hint" className="min-w-0 flex-1 text-sm text-neutral-600 dark:text-neutral-400">
              Saves everything the VM is doing in its folder and ends it; Resume continues there, even after a restart of this computer.
            </p>
          )}
        </div>
      )}
      <FailureAlert failure={failure} />
      <ConfirmDialog
        dialogRef={dialogRef}
        title={`Discard the saved state of ${config.name}?`}
        confirmLabel={busy ? 'Discarding…' : 'Discard'}
        confirmClass={BUTTON.danger}
        confirmDisabled={busy}
        onConfirm={() =>
          void run('discard the saved state', async () => {
            await vmDiscardState(config.id);
            dialogRef.current?.close();
          })
        }
      >
        <p className="text-sm">What was running in it is lost, as if its power had been cut; its disks stay. The next start boots it afresh.</p>
      </ConfirmDialog>
    </section>
  );
}
