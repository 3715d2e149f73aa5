'use client';

import type { CdInterface, RemovableMedia, VmEditRequest } from '@openutm/shared';
import { useState } from 'react';
import { BUTTON, SelectField } from '../form/fields';

export const CD_INTERFACES: ReadonlyArray<{ value: CdInterface; label: string }> = [
  { value: 'sata', label: 'SATA' },
  { value: 'ide', label: 'IDE' },
  { value: 'scsi', label: 'SCSI (virtio-scsi)' },
  { value: 'usb', label: 'USB' },
];

interface Props {
  lockedBecause: string | null;
  busy: boolean;
  apply: (edit: VmEditRequest) => Promise<unknown>;
}

// A CD drive's interface, and removing the drive: both only while the VM is shut down.
export function CdDriveSettings({ drive, lockedBecause, busy, apply }: Props & { drive: RemovableMedia }) {
  const [iface, setIface] = useState<CdInterface>(drive.interface);
  const off = lockedBecause !== null || busy;
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        if (!off && iface !== drive.interface) void apply({ removable: { change: { [drive.id]: { interface: iface } } } });
      }}
    >
      <SelectField className="min-w-48" label={`Interface of ${drive.id}`} name="cdInterface" value={iface} onChange={setIface} options={CD_INTERFACES} disabled={off} />
      <button type="submit" className={BUTTON.secondary} disabled={off || iface === drive.interface} title={lockedBecause ?? undefined}>
        Apply to {drive.id}
      </button>
      <button type="button" className={BUTTON.secondary} disabled={off} title={lockedBecause ?? undefined} onClick={() => void apply({ removable: { remove: [drive.id] } })}>
        Remove drive {drive.id}
      </button>
    </form>
  );
}

// A new, empty CD drive (up to four per VM).
export function AddCdDrive({ lockedBecause, busy, apply, preset, full }: Props & { preset: CdInterface; full: boolean }) {
  const [iface, setIface] = useState<CdInterface>(preset);
  const off = lockedBecause !== null || busy || full;
  return (
    <form
      aria-label="Add a CD drive"
      className="flex flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        if (!off) void apply({ removable: { add: [{ interface: iface }] } });
      }}
    >
      <SelectField className="min-w-48" label="New CD drive interface" name="newCdInterface" value={iface} onChange={setIface} options={CD_INTERFACES} disabled={off} />
      <button type="submit" className={BUTTON.secondary} disabled={off} title={full ? 'a VM has at most four CD drives' : (lockedBecause ?? undefined)}>
        Add CD drive
      </button>
    </form>
  );
}
