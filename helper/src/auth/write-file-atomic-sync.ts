import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { OpenUtmError } from '@openutm/shared';
import { tempNameFor } from '../vm-library/atomic-write';

// writeFileAtomic's steps (temp file → fsync → rename → fsync the directory), synchronously.
// The secrets file needs it: a paired token must be on disk before the token is handed out, and
// ApiAuth.redeemPairingCode answers synchronously. Keeping every write of that file synchronous
// also means two writes can never interleave. The file is a few KB and written rarely.
// onWindows, when given, runs on the still-empty temp file there (mode bits mean nothing on
// Windows, so a private file is made private by ACL before any byte is in it; see owner-only-acl).
export function writeFileAtomicSync(target: string, data: string, mode = 0o600, onWindows?: (emptyTemp: string) => void): void {
  const temp = tempNameFor(target);
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      if (process.platform === 'win32') onWindows?.(temp);
      const bytes = Buffer.from(data, 'utf8');
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameReplacingSync(temp, target);
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    const err = e as NodeJS.ErrnoException;
    throw new OpenUtmError('IO_ERROR', `could not write ${target}: ${err.message}. Check that the disk is not full and that the folder is writable.`, {
      errno: err.code,
    });
  }
  syncDirectorySync(path.dirname(target));
}

// Windows refuses to open a directory for fsync and journals renames itself; some POSIX file
// systems refuse fsync on directories, which only weakens durability, not atomicity.
function syncDirectorySync(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // see above
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

// A rename over a file another Windows process holds open fails briefly; wait and retry there.
function renameReplacingSync(from: string, to: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const transient = code === 'EPERM' || code === 'EACCES' || code === 'EBUSY';
      if (process.platform !== 'win32' || !transient || attempt >= 10) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 * (attempt + 1));
    }
  }
}
