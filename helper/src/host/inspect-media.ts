import { open, type FileHandle } from 'node:fs/promises';
import { OpenUtmError, type DiscBoot } from '@openutm/shared';
import { resolveUserFile } from '../vm-service/host-paths';
import type { HelperFileGuard } from '../vm-service/helper-files';
import { FIRST_DESCRIPTOR, MAX_DESCRIPTORS, parseBootCatalog, parseDescriptor, SECTOR } from './el-torito';

// What a disc image boots, for the wizard's firmware choice and the VM page's warning: resolve
// the path as media is resolved → walk the volume descriptors → read the boot catalogue.
// Reads a few sectors, never the whole file.
export async function inspectMedia(requested: string, guard: HelperFileGuard): Promise<DiscBoot> {
  const file = await resolveUserFile(requested, 'disc image', guard);
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OpenUtmError('IO_ERROR', `the helper may not read ${requested} (${code ?? 'unknown error'}); check its permissions or choose another file`, { path: requested });
  }
  try {
    return { path: file, ...(await bootPlatforms(handle)) };
  } finally {
    await handle.close();
  }
}

async function bootPlatforms(handle: FileHandle): Promise<Omit<DiscBoot, 'path'>> {
  const none = { bios: false, uefi: false };
  for (let n = 0; n < MAX_DESCRIPTORS; n++) {
    const d = parseDescriptor(await readSectors(handle, FIRST_DESCRIPTOR + n, 1));
    if (d.kind === 'not-iso') return { format: n === 0 ? 'unknown' : 'iso9660', ...none };
    if (d.kind === 'terminator') return { format: 'iso9660', ...none };
    if (d.kind === 'boot-record') return { format: 'iso9660', ...parseBootCatalog(await readSectors(handle, d.catalogSector, 1)) };
  }
  return { format: 'iso9660', ...none };
}

// Short reads (past the end of a small file) leave zeros, which parse as "nothing here".
async function readSectors(handle: FileHandle, first: number, count: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(count * SECTOR);
  await handle.read(buffer, 0, buffer.length, first * SECTOR);
  return buffer;
}
