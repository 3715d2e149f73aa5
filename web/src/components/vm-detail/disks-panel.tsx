'use client';

import { canPerform, FEATURES, PRESETS, whyNot, type VmEditRequest, type VmSummary } from '@openutm/shared';
import { useState } from 'react';
import { missingFeature } from '../../helper-client/capabilities';
import { errorMessage } from '../../helper-client/client-errors';
import { useConnection } from '../../stores/connection-store';
import { newJobId, vmEdit } from '../../helper-client/settings-api';
import { useJob } from '../../stores/job-store';
import { JobProgressBar } from '../jobs/job-progress-bar';
import { BUTTON, SelectField, TextField } from '../form/fields';
import { formatMiB } from '../library/format';
import { DISK_INTERFACES, newDiskEdit, type NewDiskDraft, type SizeUnit } from './disk-draft';
import { DiskRow } from './disk-row';
import { DiskToolsBar, type DiskToolState } from './disk-tools-bar';
import { useDiskUsage } from './use-disk-usage';
import { ImportDiskForm } from './import-disk-form';

// The VM's disks while it is shut down: add an empty one or a copy of an image from the host,
// grow, re-plug, make read-only,
// remove (keeping or deleting the image), and attach again or delete the images kept from
// earlier removals. Each action is one vm.edit; the helper does the file work (qemu-img) and
// this panel shows what its answer says.
// Why disks and CD drives cannot change now: no helper, an older helper, or the VM's state.
export function drivesLockedBecause(connected: boolean, welcome: Parameters<typeof missingFeature>[2], state: VmSummary['status']['state']): string | null {
  if (!connected) return 'not connected to the helper';
  return missingFeature(FEATURES.driveEdits, 'change disks or CD drives', welcome) ?? (canPerform(state, 'edit') ? null : whyNot(state, 'edit'));
}

export function DisksPanel({ vm, connected }: { vm: VmSummary; connected: boolean }) {
  const { config, status } = vm;
  const preset = PRESETS[config.preset];
  const [busy, setBusy] = useState(false);
  // The running import's job id: its bar replaces the status line until the answer comes.
  const [importJob, setImportJob] = useState<string | null>(null);
  const importProgress = useJob(importJob);
  const [failure, setFailure] = useState<string | null>(null);
  const [confirmDiscard, setConfirmDiscard] = useState<string | null>(null);
  const [adding, setAdding] = useState<NewDiskDraft>({ size: '8', unit: 'GiB', format: 'qcow2', interface: preset.diskInterface });
  const [addTried, setAddTried] = useState(false);
  const { welcome } = useConnection();
  const lockedBecause = drivesLockedBecause(connected, welcome, status.state);
  // A convert or compact under way: every other disk change waits for it.
  const [toolBusy, setToolBusy] = useState(false);
  const [tool, setTool] = useState<DiskToolState | null>(null);
  const off = lockedBecause !== null || busy || toolBusy;
  const add = newDiskEdit(adding);
  const toolsLocked = lockedBecause ?? missingFeature(FEATURES.diskTools, 'convert or compact disks', welcome);
  const { usage, reload } = useDiskUsage(vm, connected && missingFeature(FEATURES.diskTools, '', welcome) === null);

  // Imports copy a whole image (minutes for a real OS disk), so they run as a job with a bar when
  // the helper reports one; other disk edits are instant.
  async function apply(edit: VmEditRequest): Promise<boolean> {
    const job = (edit.disks?.import?.length ?? 0) > 0 && missingFeature(FEATURES.editJob, 'report import progress', welcome) === null ? newJobId() : undefined;
    setBusy(true);
    setFailure(null);
    setImportJob(job ?? null);
    try {
      await vmEdit(config.id, edit, job);
      return true;
    } catch (e) {
      setFailure(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
      setImportJob(null);
    }
  }

  return (
    <section aria-labelledby="disks-title" className="space-y-3" aria-busy={busy}>
      <div className="flex min-h-8 flex-wrap items-center gap-3">
        <h2 id="disks-title" className="mr-auto text-lg font-semibold">
          Disks
        </h2>
        {importJob !== null ? (
          <JobProgressBar progress={importProgress} label="Importing the disk image" className="text-sm" />
        ) : (
          <p role="status" className="text-sm text-neutral-600 dark:text-neutral-400" data-testid="disks-status">
            {busy ? 'Working on the disk images…' : lockedBecause ? `Locked: ${lockedBecause}` : ''}
          </p>
        )}
      </div>
      {config.disks.length === 0 && <p className="text-sm text-neutral-600 dark:text-neutral-400">No disks: this VM boots from a disc or a kernel only.</p>}
      <div className="space-y-3">
        {config.disks.map((disk) => (
          <DiskRow
            key={`${disk.id}:${config.updatedAt}`}
            disk={disk}
            lockedBecause={lockedBecause}
            busy={busy || toolBusy}
            apply={apply}
            tools={<DiskToolsBar vmId={config.id} disk={disk} usage={usage?.find((u) => u.id === disk.id && u.file === disk.file)} lockedBecause={toolsLocked} busy={busy || toolBusy} onBusy={setToolBusy} onFinished={reload} tool={tool?.disk === disk.id ? tool : null} setTool={setTool} />}
          />
        ))}
      </div>
      <form
        aria-label="Add a disk"
        className="grid items-start gap-3 rounded-xl border border-dashed border-neutral-300 p-4 sm:grid-cols-[1fr_auto_auto_1fr_auto] dark:border-neutral-700"
        onSubmit={async (e) => {
          e.preventDefault();
          setAddTried(true);
          if (add.edit === null || off) return;
          if (await apply(add.edit)) setAddTried(false);
        }}
      >
        <TextField label="New disk size" name="newSize" type="number" min={1} value={adding.size} onChange={(size) => setAdding((a) => ({ ...a, size }))} error={addTried ? (add.error ?? undefined) : undefined} disabled={off} />
        <SelectField label="Unit" name="newUnit" value={adding.unit} onChange={(unit: SizeUnit) => setAdding((a) => ({ ...a, unit }))} options={[{ value: 'GiB', label: 'GiB' }, { value: 'MiB', label: 'MiB' }]} disabled={off} />
        <SelectField label="Format" name="newFormat" value={adding.format} onChange={(format) => setAdding((a) => ({ ...a, format }))} options={[{ value: 'qcow2', label: 'qcow2 (grows as used)' }, { value: 'raw', label: 'raw (full size at once)' }]} disabled={off} />
        <SelectField label="New disk interface" name="newInterface" value={adding.interface} onChange={(i) => setAdding((a) => ({ ...a, interface: i }))} options={DISK_INTERFACES} disabled={off} />
        <button type="submit" className={`${BUTTON.secondary} sm:mt-6`} disabled={off} title={lockedBecause ?? undefined}>
          Add disk
        </button>
      </form>
      <ImportDiskForm lockedBecause={lockedBecause} busy={busy} apply={apply} presetInterface={preset.diskInterface} />
      {config.detachedDisks.length > 0 && (
        <div className="space-y-2">
          <h3 className="text-sm font-semibold">Kept images, not attached</h3>
          <div className="space-y-2">
            {config.detachedDisks.map((d) => (
              <div key={d.file} role="group" aria-label={`Kept image ${d.file}`} className="flex flex-wrap items-center gap-2 text-sm">
                <span className="mr-auto">
                  <span className="font-mono break-all">{d.file}</span> ({formatMiB(d.sizeMiB)} {d.format})
                </span>
                <button type="button" className={BUTTON.secondary} disabled={off} title={lockedBecause ?? undefined} onClick={() => void apply({ disks: { attach: [{ file: d.file }] } })}>
                  Attach {d.file}
                </button>
                {confirmDiscard === d.file ? (
                  <button type="button" className={BUTTON.danger} disabled={off} onClick={() => void apply({ disks: { discard: [d.file] } }).then(() => setConfirmDiscard(null))}>
                    Delete {d.file} for good
                  </button>
                ) : (
                  <button type="button" className={BUTTON.secondary} disabled={off} title={lockedBecause ?? undefined} onClick={() => setConfirmDiscard(d.file)}>
                    Delete {d.file}…
                  </button>
                )}
              </div>
            ))}
          </div>
        </div>
      )}
      <p role="alert" className="min-h-5 text-sm text-red-700 dark:text-red-400" data-testid="disks-error">
        {failure}
      </p>
    </section>
  );
}
