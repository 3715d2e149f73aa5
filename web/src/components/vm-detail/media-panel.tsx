'use client';

import { canPerform, PRESETS, whyNot, type VmEditRequest, type VmSummary } from '@openutm/shared';
import { useState } from 'react';
import { errorMessage } from '../../helper-client/client-errors';
import { vmEdit } from '../../helper-client/settings-api';
import { BUTTON } from '../form/fields';
import { folderOf, HostFileChooser } from '../wizard/host-file-chooser';
import { useConnection } from '../../stores/connection-store';
import { AddCdDrive, CdDriveSettings } from './cd-drive-settings';
import { drivesLockedBecause } from './disks-panel';
import { BUS_NAMES } from '../format/config-labels';

// The CD drives: insert or eject a disc, also while the VM runs (vm.edit `media`, which the
// helper applies to QEMU live with blockdev-change-medium / eject); add, re-plug and remove
// drives while it is shut down.
export function MediaPanel({ vm, connected }: { vm: VmSummary; connected: boolean }) {
  const { config, status } = vm;
  const [choosing, setChoosing] = useState<string | null>(null);
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const allowed = connected && canPerform(status.state, 'editLive');
  const reason = !connected ? 'not connected to the helper' : whyNot(status.state, 'editLive');
  const { welcome } = useConnection();
  const stopOnly = { lockedBecause: drivesLockedBecause(connected, welcome, status.state), busy, apply };

  async function apply(edit: VmEditRequest): Promise<boolean> {
    setBusy(true);
    setFailure(null);
    try {
      await vmEdit(config.id, edit);
      return true;
    } catch (e) {
      setFailure(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function setMedia(drive: string, iso: string | null) {
    if (await apply({ media: { [drive]: iso } })) setTyped((t) => ({ ...t, [drive]: '' }));
  }

  return (
    <section aria-labelledby="media-title" className="space-y-3">
      <h2 id="media-title" className="text-lg font-semibold">
        Removable media
      </h2>
      {config.removable.map((drive) => (
        <div key={drive.id} role="group" aria-label={`CD drive ${drive.id}`} className="space-y-2 rounded-xl border border-neutral-200 p-4 dark:border-neutral-800">
          <p className="text-sm">
            <span className="font-medium">{drive.id}</span> ({BUS_NAMES[drive.interface]}):{' '}
            <span data-testid={`media-${drive.id}`} className="font-mono break-all">
              {drive.iso ?? 'empty'}
            </span>
          </p>
          <form
            className="flex flex-wrap gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              const path = typed[drive.id]?.trim();
              if (path) void setMedia(drive.id, path);
            }}
          >
            <label htmlFor={`iso-${drive.id}`} className="sr-only">
              Disc image path for {drive.id}
            </label>
            <input
              id={`iso-${drive.id}`}
              value={typed[drive.id] ?? ''}
              onChange={(e) => setTyped((t) => ({ ...t, [drive.id]: e.target.value }))}
              placeholder="/path/to/disc.iso"
              disabled={!allowed || busy}
              className="min-w-60 flex-1 rounded-lg border border-neutral-300 bg-white px-3 py-2 font-mono text-sm disabled:opacity-60 dark:border-neutral-700 dark:bg-neutral-900"
            />
            <button type="submit" className={BUTTON.secondary} disabled={!allowed || busy || !typed[drive.id]?.trim()} title={reason ?? undefined}>
              Insert
            </button>
            <button type="button" className={BUTTON.secondary} disabled={!allowed || busy} onClick={() => setChoosing(drive.id)} title={reason ?? undefined}>
              Browse…
            </button>
            <button type="button" className={BUTTON.secondary} disabled={!allowed || busy || drive.iso === null} onClick={() => void setMedia(drive.id, null)} title={reason ?? undefined}>
              Eject
            </button>
          </form>
          <CdDriveSettings key={`${drive.id}:${drive.interface}`} drive={drive} {...stopOnly} />
        </div>
      ))}
      {config.removable.length === 0 && <p className="text-sm text-neutral-600 dark:text-neutral-400">No CD drive.</p>}
      <AddCdDrive {...stopOnly} preset={PRESETS[config.preset].cdInterface} full={config.removable.length >= 4} />
      <p role="alert" className="min-h-5 text-sm text-red-700 dark:text-red-400">
        {failure}
      </p>
      <HostFileChooser
        open={choosing !== null}
        startPath={(() => {
          const iso = config.removable.find((d) => d.id === choosing)?.iso;
          return iso ? folderOf(iso) : undefined;
        })()}
        onClose={() => setChoosing(null)}
        onChoose={(path) => {
          const drive = choosing;
          setChoosing(null);
          if (drive) void setMedia(drive, path);
        }}
      />
    </section>
  );
}
