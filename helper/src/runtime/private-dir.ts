import { lstat, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { OpenUtmError } from '@openutm/shared';

// What lstat says about one folder on the way to the sockets.
export interface DirFacts {
  isDirectory: boolean;
  isSymbolicLink: boolean;
  uid: number;
  mode: number;
}

// Why a folder may not hold this user's QEMU sockets, or null when it may. Under a shared /tmp
// (macOS, Linux without XDG_RUNTIME_DIR) another user could create the folder first and then
// swap sockets in it; a folder must be a real directory, ours, and closed to group and others.
export function whyNotPrivate(dir: string, facts: DirFacts, myUid: number): string | null {
  if (facts.isSymbolicLink) return `${dir} is a symbolic link`;
  if (!facts.isDirectory) return `${dir} is not a folder`;
  if (facts.uid !== myUid) return `${dir} belongs to user id ${facts.uid}, not to you (user id ${myUid})`;
  if ((facts.mode & 0o077) !== 0) return `${dir} is open to other users (mode 0${(facts.mode & 0o777).toString(8)})`;
  return null;
}

// Creates the runtime root (0700) and checks it and every folder created for it below `from`
// (the shared parent, /tmp or XDG_RUNTIME_DIR). POSIX only: Windows keeps it under the user's
// own %TEMP%, and its sockets are loopback ports, not files.
export async function ensurePrivateDir(root: string, from: string, myUid: number | null): Promise<void> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  if (myUid === null) return;
  const rel = path.relative(from, root);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return;
  let dir = from;
  for (const part of rel.split(path.sep)) {
    dir = path.join(dir, part);
    const st = await lstat(dir);
    const problem = whyNotPrivate(dir, { isDirectory: st.isDirectory(), isSymbolicLink: st.isSymbolicLink(), uid: st.uid, mode: st.mode }, myUid);
    if (problem !== null) {
      throw new OpenUtmError('UNSAFE_PATH', `refusing to put VM sockets in ${root}: ${problem}. Remove ${dir} (or set XDG_RUNTIME_DIR to a private folder) and start again`, { dir });
    }
  }
}
