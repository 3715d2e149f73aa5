import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { OpenUtmError, type VmConfig } from '@openutm/shared';
import { ImageFormat } from '../disk-images/image-info';
import { writeFileAtomic } from '../vm-library/atomic-write';
import { EFI_VARS_FILE } from '../vm-library/library-paths';

// The record of a try in the VM's folder. It is written before QEMU starts and removed only
// once Keep or Discard has finished, so whoever finds it (a restarted helper, the next start
// after a crash) knows a choice is pending and which files hold the changes.
export const TRY_RECORD_FILE = 'try.json';
// The try copy of the UEFI variable store: the firmware writes here during a try.
export const TRY_EFI_VARS_FILE = 'efi-vars.try.fd';

const TryDisk = z.object({
  id: z.string(),
  // The real disk (a file of the VM folder) and its format.
  file: z.string(),
  format: ImageFormat,
  // The qcow2 overlay over it, in the same folder.
  overlay: z.string(),
  // Set once a Keep has committed this overlay into the disk, so a rerun of a Keep cut short skips it.
  committed: z.boolean(),
});
export type TryDisk = z.infer<typeof TryDisk>;

export const TryRecord = z.object({
  version: z.literal(1),
  startedAt: z.string().datetime(),
  // A Keep has begun: some disk may already hold part of the try's changes, so Discard can no
  // longer give back the disks as they were, and only finishing the Keep is offered.
  keeping: z.boolean(),
  disks: z.array(TryDisk),
  efiVars: z.object({ file: z.string(), copy: z.string() }).nullable(),
});
export type TryRecord = z.infer<typeof TryRecord>;

// Which files a try of this VM uses: an overlay per writable disk (read-only disks cannot
// change, so they need none) and a copy of the UEFI variables when the VM has them.
export function planTryRecord(config: VmConfig, withEfiVars: boolean, now: Date): TryRecord {
  const disks = config.disks.filter((d) => !d.readOnly).map((d) => ({ id: d.id, file: d.file, format: d.format, overlay: overlayName(d.id), committed: false }));
  const taken = new Set(config.disks.map((d) => d.file));
  const clash = disks.find((d) => taken.has(d.overlay));
  if (clash) {
    throw new OpenUtmError('CONFLICT', `a disk of this VM is itself named ${clash.overlay}, the name a try uses for its overlay; rename that disk's file to try`);
  }
  return {
    version: 1,
    startedAt: now.toISOString(),
    keeping: false,
    disks,
    efiVars: withEfiVars ? { file: EFI_VARS_FILE, copy: TRY_EFI_VARS_FILE } : null,
  };
}

// Disk ids are QEMU ids (letters, digits, '-', '.', '_'), so the name needs no escaping.
export function overlayName(diskId: string): string {
  return `try-${diskId}.qcow2`;
}

// The overlays a try puts under the disks, by disk id, for the QEMU command line.
export function overlayFiles(record: TryRecord): Record<string, string> {
  return Object.fromEntries(record.disks.map((d) => [d.id, d.overlay]));
}

// The VM's try record, or null when no try is pending. A record that cannot be read is an
// error, never "no try": the overlays it names may hold the only copy of someone's changes.
export async function readTryRecord(folder: string): Promise<TryRecord | null> {
  const file = path.join(folder, TRY_RECORD_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new OpenUtmError('IO_ERROR', `cannot read ${file}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const record = TryRecord.safeParse(parsed);
  if (!record.success) {
    throw new OpenUtmError(
      'CONFIG_INVALID',
      `${file} is damaged, so OpenUTM cannot tell which files hold the changes of the last try; the try-*.qcow2 files beside it are those changes. Move them and ${TRY_RECORD_FILE} out of the folder to use the VM as it was before the try`,
    );
  }
  return record.data;
}

export function writeTryRecord(folder: string, record: TryRecord): Promise<void> {
  return writeFileAtomic(path.join(folder, TRY_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

export async function removeTryRecord(folder: string): Promise<void> {
  await removeFile(path.join(folder, TRY_RECORD_FILE));
}

// Deletes a file that may already be gone (a Discard or Keep that ran before and was cut short).
export async function removeFile(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new OpenUtmError('IO_ERROR', `cannot delete ${file}: ${(e as Error).message}`);
  }
}
