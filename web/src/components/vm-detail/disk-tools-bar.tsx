'use client';

import { isOpenUtmError, type DiskConfig, type DiskToolResult, type DiskUsage } from '@openutm/shared';
import { useRef } from 'react';
import { errorMessage } from '../../helper-client/client-errors';
import { jobCancel, vmDiskCompact, vmDiskConvert } from '../../helper-client/disk-tools-api';
import { newJobId } from '../../helper-client/settings-api';
import { useJob } from '../../stores/job-store';
import { ConfirmDialog } from '../form/confirm-dialog';
import { BUTTON } from '../form/fields';
import { formatBytes } from '../format/units';
import { JobProgressBar } from '../jobs/job-progress-bar';

export interface DiskToolsBarProps {
  vmId: string;
  disk: DiskConfig;
  // The helper's sizes for this disk; undefined until they come (or from an older helper).
  usage: DiskUsage | undefined;
  // Why the tools cannot run now (the VM runs, no helper, an older helper), or null.
  lockedBecause: string | null;
  // Another disk action of this VM is under way.
  busy: boolean;
  onBusy: (busy: boolean) => void;
  // A job ended (done, failed or cancelled): the sizes are worth reading again.
  onFinished: () => void;
  // This disk's running job and last outcome, kept by the panel: a convert renames the image,
  // which gives the row a new key, and what it said must outlive that.
  tool: DiskToolState | null;
  setTool: (tool: DiskToolState) => void;
}

export interface DiskToolState {
  disk: string;
  job: string | null;
  outcome: { kind: 'done' | 'failed'; text: string } | null;
}

// The disk's real size on the host beside its virtual size, and Convert… and Compact: each
// runs as a helper job shown with a bar and a Cancel button; the VM is unchanged unless it ends.
export function DiskToolsBar({ vmId, disk, usage, lockedBecause, busy, onBusy, onFinished, tool, setTool }: DiskToolsBarProps) {
  const job = tool?.job ?? null;
  const outcome = tool?.outcome ?? null;
  const progress = useJob(job);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const other = disk.format === 'qcow2' ? 'raw' : 'qcow2';
  const blocked = lockedBecause ?? usage?.toolsBlockedBecause ?? null;
  const off = blocked !== null || busy;

  async function run(what: 'convert' | 'compact') {
    const id = newJobId();
    const ended = (outcome: DiskToolState['outcome']) => setTool({ disk: disk.id, job: null, outcome });
    setTool({ disk: disk.id, job: id, outcome: null });
    onBusy(true);
    try {
      const r: DiskToolResult = what === 'convert' ? await vmDiskConvert(vmId, disk.id, other, id) : await vmDiskCompact(vmId, disk.id, id);
      const sizes = `${formatBytes(r.bytesBefore)} → ${formatBytes(r.bytesAfter)} on the host`;
      ended({ kind: 'done', text: what === 'convert' ? `Converted ${disk.id} to ${r.disk.format} (${sizes})` : `Compacted ${disk.id}: ${sizes}` });
    } catch (e) {
      const cancelled = isOpenUtmError(e) && e.code === 'CANCELLED';
      ended({ kind: 'failed', text: cancelled ? `Cancelled: ${disk.id} is unchanged` : `Could not ${what} ${disk.id}: ${errorMessage(e)}` });
    } finally {
      onBusy(false);
      onFinished();
    }
  }

  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      <p className="mr-auto" data-testid={`disk-size-${disk.id}`}>
        On the host: <span className="font-medium tabular-nums">{usage?.actualBytes == null ? '…' : formatBytes(usage.actualBytes)}</span> of{' '}
        <span className="tabular-nums">{formatBytes(usage?.virtualBytes ?? disk.sizeMiB * 1024 * 1024)}</span> virtual
      </p>
      {job !== null ? (
        <>
          <JobProgressBar progress={progress} label={`Rewriting ${disk.id}`} />
          {/* Offered once the helper reports the job, so the cancel finds it. */}
          <button type="button" className={BUTTON.secondary} disabled={progress === undefined} onClick={() => void jobCancel(job).catch(() => undefined)}>
            Cancel
          </button>
        </>
      ) : (
        <>
          <button type="button" className={BUTTON.secondary} disabled={off} title={blocked ?? `Rewrite ${disk.id} as a ${other} image`} onClick={() => dialogRef.current?.showModal()}>
            Convert {disk.id} to {other}…
          </button>
          <button type="button" className={BUTTON.secondary} disabled={off} title={blocked ?? 'Give back the space of unused and zeroed blocks'} onClick={() => void run('compact')}>
            Compact {disk.id}
          </button>
        </>
      )}
      <p role={outcome?.kind === 'failed' ? 'alert' : 'status'} className={`basis-full ${outcome?.kind === 'failed' ? 'text-red-700 dark:text-red-400' : 'text-neutral-600 dark:text-neutral-400'}`} data-testid={`disk-tool-outcome-${disk.id}`}>
        {outcome?.text ?? (usage?.toolsBlockedBecause ? `Convert and compact are off: ${usage.toolsBlockedBecause}` : '')}
      </p>
      <ConfirmDialog
        dialogRef={dialogRef}
        title={`Convert ${disk.id} to ${other}?`}
        confirmLabel={`Convert to ${other}`}
        confirmClass={BUTTON.primary}
        onConfirm={() => {
          dialogRef.current?.close();
          void run('convert');
        }}
      >
        <p className="text-sm">
          {other === 'raw'
            ? `A raw image is the disk byte for byte: simple and fast, but it may take its full ${formatBytes(usage?.virtualBytes ?? disk.sizeMiB * 1024 * 1024)} on the host.`
            : 'A qcow2 image grows as the guest writes, so it takes only the space of its data.'}{' '}
          The new image is written beside the old one, so the VM&apos;s folder needs that much free space; until it is done, the VM keeps its current disk, and Cancel leaves it as it is.
        </p>
      </ConfirmDialog>
    </div>
  );
}
