import { DiskEdits, type DiskConfig, type DiskInterface, type VmEditRequest } from '@openutm/shared';

export type SizeUnit = 'MiB' | 'GiB';

// One disk's row on the VM page, as typed.
export interface DiskRowDraft {
  size: string;
  unit: SizeUnit;
  interface: DiskInterface;
  readOnly: boolean;
}

// The "add a disk" form, as typed.
export interface NewDiskDraft {
  size: string;
  unit: SizeUnit;
  format: 'qcow2' | 'raw';
  interface: DiskInterface;
}

export const DISK_INTERFACES: ReadonlyArray<{ value: DiskInterface; label: string }> = [
  { value: 'virtio', label: 'VirtIO (fastest)' },
  { value: 'nvme', label: 'NVMe' },
  { value: 'sata', label: 'SATA' },
  { value: 'ide', label: 'IDE (old systems)' },
  { value: 'usb', label: 'USB' },
];

// A disk's size in the larger unit that shows it exactly.
export function diskRowDraft(disk: DiskConfig): DiskRowDraft {
  const whole = disk.sizeMiB % 1024 === 0;
  return { size: String(whole ? disk.sizeMiB / 1024 : disk.sizeMiB), unit: whole ? 'GiB' : 'MiB', interface: disk.interface, readOnly: disk.readOnly };
}

// "1.5" GiB → 1536; NaN when it is not a positive number (the schema then says why).
export function sizeMiB(size: string, unit: SizeUnit): number {
  const text = size.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return Number.NaN;
  return Math.round(Number(text) * (unit === 'GiB' ? 1024 : 1));
}

export type DraftResult = { edit: VmEditRequest | null; error: string | null };

// The edit a disk row asks for: only what changed; growing only (the helper refuses a shrink
// with the same words, WOULD_LOSE_DATA).
export function diskRowEdit(disk: DiskConfig, d: DiskRowDraft): DraftResult {
  const size = sizeMiB(d.size, d.unit);
  if (Number.isNaN(size)) return { edit: null, error: 'enter a size such as 20 GiB or 512 MiB' };
  if (size < disk.sizeMiB) {
    return { edit: null, error: `a disk can only grow: shrinking it below ${disk.sizeMiB} MiB would cut off data the guest stored there` };
  }
  const change = {
    ...(size !== disk.sizeMiB && { sizeMiB: size }),
    ...(d.interface !== disk.interface && { interface: d.interface }),
    ...(d.readOnly !== disk.readOnly && { readOnly: d.readOnly }),
  };
  return checked(Object.keys(change).length === 0 ? null : { change: { [disk.id]: change } });
}

// The edit that adds the drafted disk.
export function newDiskEdit(d: NewDiskDraft): DraftResult {
  const size = sizeMiB(d.size, d.unit);
  if (Number.isNaN(size)) return { edit: null, error: 'enter a size such as 20 GiB or 512 MiB' };
  return checked({ add: [{ sizeMiB: size, format: d.format, interface: d.interface }] });
}

// Validated with shared's schema, so the form shows the limit the helper would refuse with.
function checked(disks: DiskEdits | null): DraftResult {
  if (disks === null) return { edit: null, error: null };
  const parsed = DiskEdits.safeParse(disks);
  if (!parsed.success) return { edit: null, error: parsed.error.issues[0]?.message ?? 'not a valid disk' };
  return { edit: { disks }, error: null };
}
