'use client';

import { whyNot, type VmSummary } from '@openutm/shared';
import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { errorMessage } from '../../helper-client/client-errors';
import { vmClone, vmDelete } from '../../helper-client/settings-api';
import { jobRunning, useVmJob } from '../../stores/job-store';
import { JobProgressBar } from '../jobs/job-progress-bar';
import { ConfirmDialog } from '../form/confirm-dialog';
import { BUTTON, INPUT_CLASS } from '../form/fields';
import { cx } from '../cx';
import { FailureAlert } from '../form/use-action';

// Clone and delete. Deleting removes the disks for good, so it needs the name typed back
// (the helper checks the same name).
export function VmManage({ vm, connected }: { vm: VmSummary; connected: boolean }) {
  const router = useRouter();
  const { config, status } = vm;
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [confirm, setConfirm] = useState('');
  const [cloneName, setCloneName] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState<'clone' | 'delete' | null>(null);
  // This VM's clone, whoever asked for it (this page, another window, the CLI).
  const job = useVmJob(config.id, 'clone');
  const cloning = jobRunning(job);
  const cloneWhy = !connected ? 'not connected to the helper' : whyNot(status.state, 'clone');
  const deleteWhy = !connected ? 'not connected to the helper' : whyNot(status.state, 'delete');

  async function clone() {
    setBusy('clone');
    setFailure(null);
    try {
      const copy = await vmClone(config.id, cloneName.trim() === '' ? undefined : cloneName.trim());
      router.push(`/vm?id=${copy.config.id}`);
    } catch (e) {
      setFailure(`Could not clone: ${errorMessage(e)}`);
    } finally {
      setBusy(null);
    }
  }

  async function remove() {
    setBusy('delete');
    try {
      await vmDelete(config.id, confirm);
      dialogRef.current?.close();
      // Back must not return to the page of a VM that is gone.
      router.replace('/');
    } catch (e) {
      setFailure(`Could not delete: ${errorMessage(e)}`);
      dialogRef.current?.close();
    } finally {
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="manage-title" className="space-y-3">
      <h2 id="manage-title" className="text-lg font-semibold">
        Clone or delete
      </h2>
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (cloneWhy === null) void clone();
        }}
      >
        <div className="min-w-60 flex-1">
          <label htmlFor="clone-name" className="mb-1 block text-sm font-medium">
            Name of the copy
          </label>
          <input id="clone-name" value={cloneName} onChange={(e) => setCloneName(e.target.value)} placeholder={`${config.name} (copy)`} className={cx(INPUT_CLASS, 'border-neutral-300 dark:border-neutral-700')} />
        </div>
        <button type="submit" className={BUTTON.secondary} aria-disabled={cloneWhy !== null || busy !== null} title={cloneWhy ?? 'Clone'}>
          {busy === 'clone' ? 'Cloning…' : 'Clone'}
        </button>
        <button
          type="button"
          className={BUTTON.danger}
          aria-disabled={deleteWhy !== null}
          title={deleteWhy ?? 'Delete this VM and its disks'}
          onClick={() => {
            if (deleteWhy !== null) return;
            setConfirm('');
            dialogRef.current?.showModal();
          }}
        >
          Delete…
        </button>
      </form>
      {/* One line either way: the bar replaces the reason without moving what follows. */}
      {cloning || busy === 'clone' ? (
        <div role="status" className="min-h-5" data-testid="clone-progress">
          <JobProgressBar progress={cloning || (busy === 'clone' && job?.state === 'done') ? job : undefined} label={`Cloning ${config.name}`} />
        </div>
      ) : (
        <p className="min-h-5 text-sm text-neutral-600 dark:text-neutral-400" data-testid="manage-reason">
          {cloneWhy ?? deleteWhy ?? ''}
        </p>
      )}
      <FailureAlert failure={failure} />
      <ConfirmDialog
        dialogRef={dialogRef}
        title={`Delete ${config.name}?`}
        confirmLabel={busy === 'delete' ? 'Deleting…' : 'Delete for good'}
        confirmClass={BUTTON.danger}
        confirmDisabled={confirm !== config.name || busy === 'delete'}
        onConfirm={() => {
          if (confirm === config.name) void remove();
        }}
      >
        <p className="text-sm">
          This removes the VM and its disks ({config.disks.length} disk{config.disks.length === 1 ? '' : 's'}
          {config.detachedDisks.length > 0 && `, and ${config.detachedDisks.length} kept image${config.detachedDisks.length === 1 ? '' : 's'}`}) for good. Install discs stay where they are.
        </p>
        <label htmlFor="delete-confirm" className="block text-sm font-medium">
          Type the VM&apos;s name, <span className="font-mono">{config.name}</span>, to confirm
        </label>
        <input id="delete-confirm" value={confirm} autoComplete="off" onChange={(e) => setConfirm(e.target.value)} className={cx(INPUT_CLASS, 'border-neutral-300 dark:border-neutral-700')} />
      </ConfirmDialog>
    </section>
  );
}
