import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OpenUtmError } from '@openutm/shared';

// `.vm.json.tmp-<pid>-<hex>`: hidden, and never named like a config, so a temp file left by a
// killed writer cannot be read as vm.json; the pid says whose write it was.
const TEMP_PATTERN = /^\.(.+)\.tmp-(\d+)-[0-9a-f]{12}$/;

// The temp name for one write of `target`; unique per process and attempt, so O_EXCL never collides.
export function tempNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
}

// Whether a file name is one of writeFileAtomic's temp files, and which pid wrote it.
export function parseTempName(name: string): { target: string; pid: number } | null {
  const m = TEMP_PATTERN.exec(name);
  return m ? { target: m[1]!, pid: Number(m[2]) } : null;
}

export interface AtomicWriteOptions {
  // Library files are private to the user; 0600 unless said otherwise.
  mode?: number;
}

// Replaces a file so that a reader (or a crash at any instant) sees either the old or the new
// content, never a mix or an empty file: temp file → fsync → rename → fsync the directory.
export async function writeFileAtomic(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = tempNameFor(target);
  try {
    const handle = await open(temp, 'wx', options.mode ?? 0o600);
    try {
      await handle.writeFile(data);
      // Without this the rename can reach the disk before the data, and a power cut leaves a
      // zero-length vm.json (the classic ext4/XFS delayed-allocation failure).
      await handle.sync();
    } finally {
      await handle.close();
    }
    await renameReplacing(temp, target);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw ioError(`could not write ${target}`, e);
  }
  await syncDirectory(path.dirname(target));
}

// Removes temp files a killed writer left behind (never the current process's own, which may be
// in flight). Returns the names removed. Call it while holding the library lock.
export async function cleanStaleTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError(`could not read ${dir}`, e);
  }
  const removed: string[] = [];
  for (const name of names) {
    const temp = parseTempName(name);
    if (!temp || temp.pid === process.pid) continue;
    try {
      await unlink(path.join(dir, name));
      removed.push(name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(`could not remove the stale temp file ${path.join(dir, name)}`, e);
    }
  }
  return removed;
}

// Makes the rename itself durable. Windows cannot open a directory as a file to fsync it, and
// NTFS journals the rename's metadata itself, so the step is skipped there.
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (e) {
    // Some file systems (network mounts, some FUSE) refuse fsync on a directory; the data
    // is already renamed into place, so this only weakens durability, not atomicity.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR') throw ioError(`could not sync ${dir}`, e);
  } finally {
    await handle.close();
  }
}

// On Windows a rename over a file that another process (an indexer, an antivirus scanner, a
// reader) has open fails briefly with EPERM/EACCES/EBUSY; retrying for a moment rides it out.
async function renameReplacing(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const transient = code === 'EPERM' || code === 'EACCES' || code === 'EBUSY';
      if (process.platform !== 'win32' || !transient || attempt >= 10) throw e;
      await sleep(10 * (attempt + 1));
    }
  }
}

function ioError(what: string, e: unknown): OpenUtmError {
  if (e instanceof OpenUtmError) return e;
  const err = e as NodeJS.ErrnoException;
  return new OpenUtmError('IO_ERROR', `${what}: ${err.message}. Check that the disk is not full and that the folder is writable.`, {
    errno: err.code,
  });
}
