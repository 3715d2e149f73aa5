import { z } from 'zod';
import { migrationBlockerFix } from './migration-blockers';
import { VmName, type VmConfig } from '../vm-config/schema';
import type { VmState } from './states';

// A snapshot's name as people type it; control characters would corrupt listings and logs.
export const SnapshotName = z
  .string()
  .trim()
  .min(1, 'a snapshot needs a name')
  .max(100, 'a snapshot name is at most 100 characters')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'a snapshot name cannot contain control characters');

// The tag QEMU stores in every disk image: the helper picks it, so it is plain and short.
export const SnapshotTag = z.string().regex(/^ou-[a-z0-9]{8,24}$/, 'a snapshot tag is ou- and 8 to 24 lowercase letters and digits');

// One snapshot as listed: what the metadata says, and what the disk images hold.
export const SnapshotInfo = z.object({
  tag: SnapshotTag,
  name: SnapshotName,
  notes: z.string().max(10_000),
  createdAt: z.string().datetime(),
  // Taken while the VM ran: restoring it brings back the running guest, memory and all.
  memory: z.boolean(),
  // The guest's screen at that moment (PNG, base64), when the VM had one.
  thumbnail: z.string().nullable(),
  // The memory state QEMU keeps in the image (0 for a snapshot of a shut-down VM).
  vmStateBytes: z.number().int().min(0),
  // How much the disk images grew when it was written: what deleting it gives back at least.
  diskBytes: z.number().int().min(0),
});
export type SnapshotInfo = z.infer<typeof SnapshotInfo>;

// Why a snapshot cannot be taken now, and the way out when there is one.
export const SnapshotBlocker = z.object({
  reason: z.string(),
  fix: z
    .object({
      kind: z.enum(['convert-disks', 'add-disk', 'wait', 'remove-device']),
      text: z.string(),
      // The disks the fix is about (convert-disks).
      disks: z.array(z.string()).default([]),
    })
    .nullable(),
});
export type SnapshotBlocker = z.infer<typeof SnapshotBlocker>;

export const SnapshotList = z.object({
  snapshots: z.array(SnapshotInfo),
  // The snapshot the VM's current state grew from (the last one taken or restored), if it still exists.
  current: SnapshotTag.nullable(),
  // Why no snapshot can be taken now; null when one can.
  blocker: SnapshotBlocker.nullable(),
});
export type SnapshotList = z.infer<typeof SnapshotList>;

export const SnapshotCloneName = VmName;

// Snapshots are taken of a VM at rest (qemu-img) or running/paused (QEMU, with memory); never
// while QEMU starts or stops, when neither owns the images for sure.
const SNAPSHOT_STATES: readonly VmState[] = ['stopped', 'crashed', 'running', 'paused'];

export function isLiveState(state: VmState): boolean {
  return state === 'running' || state === 'paused';
}

// The disks a snapshot covers: every writable one (read-only images cannot change, so they need none).
export function snapshotDisks(config: Pick<VmConfig, 'disks'>): VmConfig['disks'] {
  return config.disks.filter((d) => !d.readOnly);
}

// One rule for the UI (which greys out "Take snapshot" and says why) and the helper (which
// refuses with the same words). `migrationBlockers` are QEMU's reasons a running VM cannot be
// migrated (query-migrate blocked-reasons): a VM that cannot be migrated cannot save its memory.
export function snapshotBlocker(config: Pick<VmConfig, 'disks'>, state: VmState, migrationBlockers: readonly string[] = []): SnapshotBlocker | null {
  if (!SNAPSHOT_STATES.includes(state)) {
    return { reason: `the VM is ${state}`, fix: { kind: 'wait', text: 'wait until it has started or shut down', disks: [] } };
  }
  const disks = snapshotDisks(config);
  if (disks.length === 0) {
    return {
      reason: 'this VM has no writable disk to keep a snapshot in',
      fix: { kind: 'add-disk', text: 'add a qcow2 disk in its settings (Disks)', disks: [] },
    };
  }
  const raw = disks.filter((d) => d.format !== 'qcow2').map((d) => d.id);
  if (raw.length > 0) {
    const list = raw.join(', ');
    return {
      reason: `${list} ${raw.length === 1 ? 'is a raw disk image' : 'are raw disk images'}, which cannot hold snapshots`,
      fix: {
        kind: 'convert-disks',
        text: `convert ${list} to qcow2 (Convert to qcow2 on the VM page, or \`openutm snapshot convert VM\`), with the VM shut down; the raw ${raw.length === 1 ? 'image stays' : 'images stay'} in the VM folder, detached`,
        disks: raw,
      },
    };
  }
  if (isLiveState(state) && migrationBlockers.length > 0) {
    return {
      reason: `QEMU cannot save this VM's memory: ${migrationBlockers.join('; ')}`,
      fix: { kind: 'remove-device', text: migrationBlockerFix(migrationBlockers).replace('shut the VM down first', 'shut the VM down to take a snapshot of its disks'), disks: [] },
    };
  }
  return null;
}

// What restoring a snapshot does to the VM as it is now, for the confirmation and the refusal.
export function restoreWhyNot(snapshot: Pick<SnapshotInfo, 'memory' | 'name'>, state: VmState): string | null {
  if (!SNAPSHOT_STATES.includes(state)) return `cannot restore a snapshot of a VM that is ${state}: wait until it has started or shut down`;
  if (!snapshot.memory && isLiveState(state)) {
    return `"${snapshot.name}" was taken while the VM was shut down: shut it down first, then restore it`;
  }
  return null;
}
