import { statfs } from 'node:fs/promises';
import { z } from 'zod';
import { OpenUtmError } from '@openutm/shared';
import type { ImageFormat } from './image-info';
import { assertAbsolute, checkedFormat, runQemuImg } from './qemu-img';

// Room kept free beyond the image itself: vm.json, logs, and the file system's own metadata.
export const SPACE_MARGIN_BYTES = 64 * 1024 * 1024;

// What `qemu-img measure --output=json` prints (QEMU 2.11 on); only `required` is used.
const MeasureJson = z.object({ required: z.number().int().nonnegative(), 'fully-allocated': z.number().int().nonnegative() });

// The most bytes `qemu-img convert -O outputFormat` of this image can write: qemu-img's own
// estimate from the image's allocation (a raw target counts its whole virtual size).
export async function measureConversion(qemuImg: string, file: string, format: ImageFormat, outputFormat: ImageFormat): Promise<number> {
  assertAbsolute(file);
  const args = ['measure', '--output=json', '-f', checkedFormat(format), '-O', checkedFormat(outputFormat), '--', file];
  const { stdout } = await runQemuImg(qemuImg, args);
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new OpenUtmError('QEMU_IMG_FAILED', `qemu-img measure printed something that is not JSON: ${stdout.slice(0, 200)}`);
  }
  const parsed = MeasureJson.safeParse(json);
  if (!parsed.success) throw new OpenUtmError('QEMU_IMG_FAILED', `qemu-img measure printed unexpected JSON (${stdout.slice(0, 200)}); is this qemu-img version supported?`);
  return parsed.data.required;
}

// Bytes an unprivileged writer may still use on the file system holding `dir`.
export async function freeBytes(dir: string): Promise<number> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new OpenUtmError('IO_ERROR', `could not read the free space of ${dir}: ${err.message}`, { errno: err.code });
  }
}

// "1.5 GiB", "20 MiB", "512 KiB": binary units as the UI shows them.
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} bytes`;
  const fixed = value.toFixed(value < 10 ? 2 : 1).replace(/\.?0+$/, '');
  return `${fixed} ${units[unit]}`;
}

export interface SpaceNeed {
  // What the new image may take.
  needed: number;
  free: number;
  // What the work is, for the message ("converting disk0 to raw").
  what: string;
  where: string;
}

// Pure: the error to refuse with when the new image (plus a margin) does not fit, else null.
// The old image stays until the new one is in place, so its space does not count as free.
export function spaceShortfall({ needed, free, what, where }: SpaceNeed): OpenUtmError | null {
  const want = needed + SPACE_MARGIN_BYTES;
  if (free >= want) return null;
  return new OpenUtmError(
    'NO_SPACE',
    `${what} needs up to ${formatBytes(want)} free in ${where} (the new image is written beside the old one), but only ${formatBytes(free)} is free; free up ${formatBytes(want - free)} there and try again`,
    { neededBytes: want, freeBytes: free },
  );
}
