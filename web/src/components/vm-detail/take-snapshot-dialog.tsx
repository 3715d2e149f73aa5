'use client';

import { useRef, useState, type RefObject } from 'react';
import { errorMessage } from '../../helper-client/client-errors';
import { newJobId } from '../../helper-client/settings-api';
import { snapshotSave } from '../../helper-client/snapshots-api';
import { ConfirmDialog } from '../form/confirm-dialog';
import { BUTTON, INPUT_CLASS } from '../form/fields';
import { cx } from '../cx';

// Name and notes for a new snapshot. It closes at once: the timeline shows the job's progress.
export function TakeSnapshotDialog({ dialogRef, vmId, live, onDone, onFailure }: { dialogRef: RefObject<HTMLDialogElement | null>; vmId: string; live: boolean; onDone: () => void; onFailure: (text: string | null) => void }) {
  const [name, setName] = useState('');
  const [notes, setNotes] = useState('');
  const nameRef = useRef<HTMLInputElement>(null);
  const trimmed = name.trim();

  function take() {
    if (trimmed === '') return;
    dialogRef.current?.close();
    onFailure(null);
    snapshotSave(vmId, trimmed, notes, newJobId()).then(
      () => {
        setName('');
        setNotes('');
        onDone();
      },
      (e: unknown) => {
        onFailure(`Could not take the snapshot: ${errorMessage(e)}`);
        onDone();
      },
    );
  }

  return (
    <ConfirmDialog dialogRef={dialogRef} testId="take-snapshot" title="Take a snapshot" confirmLabel="Take snapshot" confirmClass={BUTTON.primary} confirmDisabled={trimmed === ''} onConfirm={take}>
      <p className="text-sm">{live ? 'Keeps the disks and everything in memory: restoring it brings the running VM back to this moment.' : 'Keeps the disks as they are: restoring it brings them back.'}</p>
      <label htmlFor="snapshot-name" className="block text-sm font-medium">
        Snapshot name
      </label>
      <input id="snapshot-name" ref={nameRef} value={name} maxLength={100} autoComplete="off" onChange={(e) => setName(e.target.value)} className={cx(INPUT_CLASS, 'border-neutral-300 dark:border-neutral-700')} />
      <label htmlFor="snapshot-notes" className="block text-sm font-medium">
        Snapshot notes
      </label>
      <textarea id="snapshot-notes" value={notes} maxLength={10_000} rows={3} onChange={(e) => setNotes(e.target.value)} className={cx(INPUT_CLASS, 'border-neutral-300 dark:border-neutral-700')} />
    </ConfirmDialog>
  );
}
