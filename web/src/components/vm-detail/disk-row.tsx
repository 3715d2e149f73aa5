'use client';

import type { DiskConfig, VmEditRequest } from '@openutm/shared';
import type { ReactNode } from 'react';
import { useRef, useState } from 'react';
import { ConfirmDialog } from '../form/confirm-dialog';
import { BUTTON, CheckField, SelectField, TextField } from '../form/fields';
import { formatMiB } from '../library/format';
import { BUS_NAMES } from '../format/config-labels';
import { DISK_INTERFACES, diskRowDraft, diskRowEdit, type DiskRowDraft, type SizeUnit } from './disk-draft';

export interface DiskRowProps {
  disk: DiskConfig;
  // Why nothing can change now (the VM runs, no helper), or null.
  lockedBecause: string | null;
  busy: boolean;
  apply: (edit: VmEditRequest) => Promise<boolean>;
  // The real size and the convert and compact actions (DiskToolsBar).
  tools?: ReactNode;
}

// One disk: grow it, move it to another interface, make it read-only, or remove it — keeping
// the image in the VM's folder or deleting it, which the dialog makes the person choose.
// Keyed by the config's updatedAt, so a saved change starts a fresh draft.
export function DiskRow({ disk, lockedBecause, busy, apply, tools }: DiskRowProps) {
  const [draft, setDraft] = useState<DiskRowDraft>(() => diskRowDraft(disk));
  const [keepFile, setKeepFile] = useState(true);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const { edit, error } = diskRowEdit(disk, draft);
  const off = lockedBecause !== null || busy;
  const update = (change: Partial<DiskRowDraft>) => setDraft((d) => ({ ...d, ...change }));

  return (
    <div role="group" aria-label={`Disk ${disk.id}`} data-testid={`disk-${disk.id}`} className="space-y-3 rounded-xl border border-neutral-200 p-4 dark:border-neutral-800">
      <p className="text-sm">
        <span className="font-medium">{disk.id}</span>: {formatMiB(disk.sizeMiB)} {disk.format} on {BUS_NAMES[disk.interface]}
        {disk.readOnly ? ' (read-only)' : ''} — <span className="font-mono break-all">{disk.file}</span>
      </p>
      {tools}
      <form
        className="grid items-start gap-3 sm:grid-cols-[1fr_auto_1fr_auto_auto]"
        onSubmit={(e) => {
          e.preventDefault();
          if (edit && !off) void apply(edit);
        }}
      >
        <TextField label={`Size of ${disk.id}`} name="size" type="number" min={1} value={draft.size} onChange={(size) => update({ size })} error={error ?? undefined} disabled={off} />
        <SelectField label="Unit" name="unit" value={draft.unit} onChange={(unit: SizeUnit) => update({ unit })} options={[{ value: 'GiB', label: 'GiB' }, { value: 'MiB', label: 'MiB' }]} disabled={off} />
        <SelectField label={`Interface of ${disk.id}`} name="interface" value={draft.interface} onChange={(i) => update({ interface: i })} options={DISK_INTERFACES} disabled={off} />
        <CheckField className="sm:pt-8" label="Read-only" name="readOnly" checked={draft.readOnly} onChange={(readOnly) => update({ readOnly })} disabled={off} />
        <div className="flex gap-2 sm:pt-6">
          <button type="submit" className={BUTTON.secondary} disabled={off || edit === null} title={lockedBecause ?? undefined}>
            Apply to {disk.id}
          </button>
          <button
            type="button"
            className={BUTTON.secondary}
            disabled={off}
            title={lockedBecause ?? undefined}
            onClick={() => {
              setKeepFile(true);
              dialogRef.current?.showModal();
            }}
          >
            Remove {disk.id}…
          </button>
        </div>
      </form>
      <ConfirmDialog
        dialogRef={dialogRef}
        title={`Remove disk ${disk.id}?`}
        confirmLabel={keepFile ? 'Remove, keep the file' : 'Remove and delete the file'}
        confirmClass={keepFile ? BUTTON.primary : BUTTON.danger}
        onConfirm={() => {
          dialogRef.current?.close();
          void apply({ disks: { remove: { [disk.id]: { file: keepFile ? 'keep' : 'delete' } } } });
        }}
      >
        <p className="text-sm">
          The guest no longer sees this {formatMiB(disk.sizeMiB)} disk. What happens to its image, <span className="font-mono break-all">{disk.file}</span>?
        </p>
        <fieldset className="space-y-2">
          <legend className="sr-only">The image file</legend>
          <label className="flex items-start gap-2 text-sm">
            <input type="radio" name="file" checked={keepFile} onChange={() => setKeepFile(true)} className="mt-1 accent-sky-600" />
            <span>Keep it in the VM&apos;s folder; it is listed below and can be attached again</span>
          </label>
          <label className="flex items-start gap-2 text-sm">
            <input type="radio" name="file" checked={!keepFile} onChange={() => setKeepFile(false)} className="mt-1 accent-red-600" />
            <span>Delete it and everything stored on it, for good</span>
          </label>
        </fieldset>
      </ConfirmDialog>
    </div>
  );
}
