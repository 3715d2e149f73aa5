import { createHash, randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { OpenUtmError, type GuestFileResult } from '@openutm/shared';
import type { QgaClient } from './qga-client';
import { QgaFileRead, QgaFileWrite } from './guest-facts';

// Bytes per agent request: 64 KiB of base64 on the wire, so memory stays bounded whatever the
// file's size and a slow guest still answers each request well within its time-out.
export const FILE_CHUNK_BYTES = 48 * 1024;

export type FileProgress = (done: number, total: number) => void;

const QgaHandle = z.number().int();
const QgaSeek = z.object({ position: z.number().int().min(0), eof: z.boolean() });

// Opens a guest file, runs work with its handle, and always closes it.
async function withGuestFile<T>(qga: QgaClient, guestPath: string, mode: 'r' | 'w', work: (handle: number) => Promise<T>): Promise<T> {
  const handle = await qga.execute('guest-file-open', QgaHandle, { path: guestPath, mode });
  try {
    return await work(handle);
  } finally {
    await qga.execute('guest-file-close', z.unknown(), { handle }).catch(() => undefined);
  }
}

// Streams a host file into the guest (created or replaced there), chunk by chunk.
export async function pushFile(qga: QgaClient, hostFile: string, guestPath: string, progress: FileProgress): Promise<GuestFileResult> {
  const file = await open(hostFile, 'r');
  try {
    const total = (await file.stat()).size;
    const hash = createHash('sha256');
    const buffer = Buffer.alloc(FILE_CHUNK_BYTES);
    let done = 0;
    await withGuestFile(qga, guestPath, 'w', async (handle) => {
      for (;;) {
        const { bytesRead } = await file.read(buffer, 0, FILE_CHUNK_BYTES, null);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        const written = await qga.execute('guest-file-write', QgaFileWrite, { handle, 'buf-b64': chunk.toString('base64') });
        if (written.count !== bytesRead) throw new OpenUtmError('GUEST_AGENT_FAILED', `the guest wrote ${written.count} of ${bytesRead} bytes to ${guestPath}; is its disk full?`);
        hash.update(chunk);
        done += bytesRead;
        progress(done, Math.max(total, done));
      }
    });
    return { bytes: done, sha256: hash.digest('hex') };
  } finally {
    await file.close();
  }
}

// Streams a guest file to the host. It lands under a temporary name beside the target and is
// renamed at the end, so a failed copy never leaves half a file where the target was.
export async function pullFile(qga: QgaClient, guestPath: string, hostFile: string, opts: { overwrite: boolean }, progress: FileProgress): Promise<GuestFileResult> {
  const partial = path.join(path.dirname(hostFile), `.${path.basename(hostFile)}.${randomBytes(4).toString('hex')}.openutm-part`);
  const file = await open(partial, 'wx', 0o600);
  let done = 0;
  const hash = createHash('sha256');
  try {
    await withGuestFile(qga, guestPath, 'r', async (handle) => {
      // The size, for the progress bar only: agents that cannot seek still copy.
      const end = await qga.execute('guest-file-seek', QgaSeek, { handle, offset: 0, whence: 'end' }).catch(() => null);
      if (end) await qga.execute('guest-file-seek', QgaSeek, { handle, offset: 0, whence: 'set' });
      const total = end?.position ?? 0;
      for (;;) {
        const read = await qga.execute('guest-file-read', QgaFileRead, { handle, count: FILE_CHUNK_BYTES });
        const chunk = Buffer.from(read['buf-b64'], 'base64');
        if (chunk.length > 0) {
          await file.write(chunk);
          hash.update(chunk);
          done += chunk.length;
          progress(done, Math.max(total, done));
        }
        if (read.eof || read.count === 0) break;
      }
    });
    await file.close();
    if (!opts.overwrite) await refuseExisting(hostFile);
    await rename(partial, hostFile);
    return { bytes: done, sha256: hash.digest('hex') };
  } catch (e) {
    await file.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw e;
  }
}

// Without --overwrite an existing host file is never replaced.
export async function refuseExisting(hostFile: string): Promise<void> {
  const existing = await open(hostFile, 'r').then(
    (f) => f.close().then(() => true),
    () => false,
  );
  if (existing) throw new OpenUtmError('CONFLICT', `${hostFile} already exists; choose another name, or pass --overwrite to replace it`, { path: hostFile });
}
