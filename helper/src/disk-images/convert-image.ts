import { open, unlink } from 'node:fs/promises';
import { OpenUtmError } from '@openutm/shared';
import { tempNameFor } from '../vm-library/atomic-write';
import { lastProgress } from './clone-image';
import type { ImageFormat } from './image-info';
import { assertAbsolute, checkedFormat, runQemuImg } from './qemu-img';

export interface ConvertImageInput {
  qemuImg: string;
  source: string;
  sourceFormat: ImageFormat;
  // The file the result will replace or take the name of; the copy is written next to it.
  target: string;
  targetFormat: ImageFormat;
  // 0…1 from qemu-img convert -p.
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  // Bytes per second qemu-img may write (convert -r), so a rewrite does not starve running VMs.
  rateLimit?: number;
}

// OPENUTM_DISK_RATE: a cap in bytes per second on disk rewrites (convert and compact); unset, none.
export function diskRateFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const n = Number(env.OPENUTM_DISK_RATE);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

// Writes a converted copy of `source` under a temp name beside `target` and returns that name,
// flushed to disk, for the caller to rename into place. qemu-img convert skips zeroed and
// unallocated blocks, so the copy holds only the data (a compact when the formats are equal).
// On any failure the temp file is gone: a cancel (CANCELLED), a full disk (NO_SPACE) or another
// qemu-img error. The temp name is writeFileAtomic's, so a helper killed midway leaves nothing
// that cleanStaleTemps does not sweep up when the library is next opened.
export async function convertToTemp(input: ConvertImageInput): Promise<string> {
  assertAbsolute(input.source);
  assertAbsolute(input.target);
  const rate = input.rateLimit !== undefined && Number.isSafeInteger(input.rateLimit) && input.rateLimit > 0 ? ['-r', String(input.rateLimit)] : [];
  const args = ['convert', '-p', ...rate, '-f', checkedFormat(input.sourceFormat), '-O', checkedFormat(input.targetFormat), '--', input.source];
  const temp = tempNameFor(input.target);
  try {
    // Reserved first so two writers can never share a name.
    await (await open(temp, 'wx', 0o600)).close();
    await runQemuImg(input.qemuImg, [...args, temp], {
      signal: input.signal,
      onStdout: (chunk) => {
        const fraction = lastProgress(chunk);
        if (fraction !== null) input.onProgress?.(fraction);
      },
    });
    // qemu-img writes its target with cache=unsafe (no flush): without this a power cut after
    // the rename could leave the VM's only image with holes.
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temp;
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw explain(e, input);
  }
}

function explain(e: unknown, input: ConvertImageInput): unknown {
  if (input.signal?.aborted) return new OpenUtmError('CANCELLED', `the conversion of ${input.source} was cancelled; the image is unchanged`);
  const text = e instanceof OpenUtmError ? `${e.message} ${String(e.details?.stderr ?? '')}` : e instanceof Error ? e.message : String(e);
  if (/No space left on device|ENOSPC|Disk quota exceeded|EDQUOT/i.test(text)) {
    return new OpenUtmError('NO_SPACE', `the disk holding ${input.target} filled up while the new image was written; the old image is unchanged and the partial copy was removed. Free up space there and try again`);
  }
  if (e instanceof OpenUtmError) return e;
  const err = e as NodeJS.ErrnoException;
  return new OpenUtmError('IO_ERROR', `could not write a copy of ${input.source}: ${err.message}`, { errno: err.code });
}
