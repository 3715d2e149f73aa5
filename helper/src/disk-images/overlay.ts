import { open, unlink } from 'node:fs/promises';
import { OpenUtmError } from '@openutm/shared';
import { lastProgress } from './clone-image';
import type { ImageFormat } from './image-info';
import { assertAbsolute, checkedFormat, runQemuImg } from './qemu-img';

// How an overlay names the disk under it: relative ("./name"), so the pair stays valid when the
// library folder moves, and with the "./" so a name holding ':' ("a:b.img") is not read as a
// protocol by QEMU. Only a bare file name of the same folder is accepted.
export function overlayBackingName(diskFile: string): string {
  if (diskFile === '' || diskFile === '.' || diskFile === '..' || /[/\\]/.test(diskFile) || diskFile.includes('\u0000')) {
    throw new OpenUtmError('UNSAFE_PATH', `a disk under a try overlay must be a file of the VM's own folder, not "${diskFile}"`);
  }
  return `./${diskFile}`;
}

export interface CreateOverlayInput {
  qemuImg: string;
  // The overlay to make (absolute); it must not exist yet.
  path: string;
  // The disk it sits on: a bare file name in the overlay's folder, and its format (stated, so
  // QEMU never probes the disk's contents for one).
  diskFile: string;
  diskFormat: ImageFormat;
}

// Makes an empty qcow2 overlay whose reads fall through to the disk and whose writes stay in
// the overlay. Reserved with O_EXCL first: qemu-img create would truncate an existing file.
export async function createOverlay(input: CreateOverlayInput): Promise<void> {
  assertAbsolute(input.path);
  const backing = overlayBackingName(input.diskFile);
  const format = checkedFormat(input.diskFormat);
  try {
    await (await open(input.path, 'wx', 0o600)).close();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EEXIST') throw new OpenUtmError('CONFLICT', `${input.path} already exists; OpenUTM never overwrites it`);
    throw new OpenUtmError('IO_ERROR', `could not create ${input.path}: ${err.message}. Check that the disk is not full.`, { errno: err.code });
  }
  try {
    await runQemuImg(input.qemuImg, ['create', '-q', '-f', 'qcow2', '-b', backing, '-F', format, '--', input.path]);
  } catch (e) {
    await unlink(input.path).catch(() => undefined);
    throw e;
  }
}

export interface CommitOverlayInput {
  qemuImg: string;
  path: string;
  // Called with the fraction done (0..1) as qemu-img reports it.
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

// Writes an overlay's clusters into the disk under it. -d leaves the overlay as it is instead
// of emptying it afterwards: the caller deletes it anyway, and emptying costs a second pass.
// Committing twice is harmless (the same data lands in the same place), which is what lets an
// interrupted Keep simply run again.
export async function commitOverlay(input: CommitOverlayInput): Promise<void> {
  assertAbsolute(input.path);
  await runQemuImg(input.qemuImg, ['commit', '-p', '-d', '-f', 'qcow2', '--', input.path], {
    signal: input.signal,
    onStdout: (chunk) => {
      const fraction = lastProgress(chunk);
      if (fraction !== null) input.onProgress?.(fraction);
    },
  });
}
