import { constants as fsConstants } from 'node:fs';
import { copyFile, open, rename, unlink } from 'node:fs/promises';
import { OpenUtmError } from '@openutm/shared';
import { tempNameFor } from '../vm-library/atomic-write';
import { assertBackingInside } from './backing-check';
import type { ImageFormat } from './image-info';
import { assertAbsolute, inspectImage, runQemuImg } from './qemu-img';

export interface CloneImageInput {
  source: string;
  target: string;
  format: ImageFormat;
  // Without qemu-img a clone is a plain copy, which cannot flatten a backing chain and fills in
  // the holes of sparse images; pass it whenever the host has it.
  qemuImg?: string | null;
  // When given, the source's backing chain must stay inside it (checked before anything is read).
  libraryRoot?: string;
  // 0…1, from qemu-img convert -p; a reflink finishes at once and reports only 1.
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  // Copy the image as it was in this internal snapshot (always through qemu-img; the source may be
  // in use by its running VM, whose snapshots do not change under it).
  snapshot?: string;
}

export type CloneMethod = 'reflink' | 'convert' | 'copy';

// Copies a disk image for a VM clone, choosing the cheapest correct way:
// 1. reflink (copy-on-write clone: Btrfs, XFS, APFS, ReFS): instant and shares space, but only
//    for a standalone image, since a relative backing name would then point into the clone's folder;
// 2. `qemu-img convert`: keeps sparse images sparse, flattens a backing chain into one standalone
//    image, and reports progress;
// 3. without qemu-img, a plain copy (refused for images with a backing chain).
// The copy is made under a temp name and renamed onto a target reserved with O_EXCL, so an
// interrupted clone never leaves a half-written disk under the real name, nor overwrites one.
export async function cloneImage(input: CloneImageInput): Promise<CloneMethod> {
  assertAbsolute(input.source);
  assertAbsolute(input.target);
  const standalone = (await isStandalone(input)) && input.snapshot === undefined;
  await reserve(input.target);
  // Named like writeFileAtomic's temps, so a clone cut short by a killed helper is swept up by
  // cleanStaleTemps when the library is next opened.
  const temp = tempNameFor(input.target);
  try {
    const method = await copyTo(input, temp, standalone);
    await rename(temp, input.target);
    input.onProgress?.(1);
    return method;
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    await unlink(input.target).catch(() => undefined);
    if (e instanceof OpenUtmError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new OpenUtmError('IO_ERROR', `could not copy ${input.source} to ${input.target}: ${err.message}`, { errno: err.code });
  }
}

async function copyTo(input: CloneImageInput, temp: string, standalone: boolean): Promise<CloneMethod> {
  if (standalone) {
    try {
      await copyFile(input.source, temp, fsConstants.COPYFILE_EXCL | fsConstants.COPYFILE_FICLONE_FORCE);
      return 'reflink';
    } catch (e) {
      if (!isNoReflink(e)) throw e;
      await unlink(temp).catch(() => undefined);
    }
  }
  if (input.qemuImg) {
    const from = input.snapshot === undefined ? [] : ['-U', '-l', `snapshot.name=${input.snapshot}`];
    const args = ['convert', '-p', ...from, '-f', input.format, '-O', input.format, '--', input.source, temp];
    await runQemuImg(input.qemuImg, args, {
      signal: input.signal,
      onStdout: (chunk) => {
        const fraction = lastProgress(chunk);
        if (fraction !== null) input.onProgress?.(fraction);
      },
    });
    return 'convert';
  }
  await copyFile(input.source, temp, fsConstants.COPYFILE_EXCL);
  return 'copy';
}

// The last "(12.34/100%)" in a chunk of `qemu-img convert -p` output, as a fraction.
export function lastProgress(chunk: string): number | null {
  const all = [...chunk.matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)];
  const last = all.at(-1);
  return last ? Math.min(1, Number(last[1]) / 100) : null;
}

// Whether the source has no backing file and no external data file (so a byte copy stands alone).
async function isStandalone(input: CloneImageInput): Promise<boolean> {
  if (input.qemuImg) {
    const info = await inspectImage({ qemuImg: input.qemuImg, path: input.source, format: input.format, forceShare: input.snapshot !== undefined });
    if (input.libraryRoot !== undefined) await assertBackingInside(info, input.libraryRoot);
    if (info.dataFile !== null) {
      throw new OpenUtmError('UNSAFE_PATH', `${input.source} keeps its data in an external file (${info.dataFile}); OpenUTM cannot clone such images`);
    }
    return info.backingFilename === null;
  }
  if (input.format === 'raw') return true;
  const refs = await qcow2References(input.source);
  if (refs.backing || refs.dataFile) {
    throw new OpenUtmError('QEMU_NOT_FOUND', `${input.source} depends on other files; cloning it needs qemu-img (\`openutm doctor\` says how to install it)`);
  }
  return true;
}

// Reads just enough of a qcow2 header to know whether the image refers to other files.
// Layout (docs/interop/qcow2.txt): magic "QFI\xfb", version u32, backing_file_offset u64 at 8,
// and for version 3, incompatible_features u64 at 72 whose bit 2 is "external data file".
export async function qcow2References(file: string): Promise<{ backing: boolean; dataFile: boolean }> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(80);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead < 16 || buf.readUInt32BE(0) !== 0x514649fb) {
      throw new OpenUtmError('CONFIG_INVALID', `${file} is not a qcow2 image, although its VM says it is`);
    }
    const version = buf.readUInt32BE(4);
    const backing = buf.readBigUInt64BE(8) !== 0n;
    const dataFile = version >= 3 && bytesRead >= 80 && (buf.readBigUInt64BE(72) & 4n) !== 0n;
    return { backing, dataFile };
  } finally {
    await handle.close();
  }
}

async function reserve(target: string): Promise<void> {
  try {
    await (await open(target, 'wx', 0o600)).close();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EEXIST') throw new OpenUtmError('CONFLICT', `${target} already exists; OpenUTM never overwrites a disk image`);
    throw new OpenUtmError('IO_ERROR', `could not create ${target}: ${err.message}`, { errno: err.code });
  }
}

// The errors copyFile gives when the file system cannot reflink (ext4, NTFS, across devices).
function isNoReflink(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV' || code === 'EINVAL' || code === 'ENOSYS' || code === 'ENOTTY' || code === 'EPERM';
}
