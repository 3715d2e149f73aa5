import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';

// Decides whether a path is a program this user can run; injectable so search order tests need no files.
export type ExecutableCheck = (path: string) => Promise<boolean>;

// A regular file this user may execute (Windows has no execute bit: existence is what counts).
export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    if (process.platform !== 'win32') await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// The first candidate that is executable. All are checked at once; the order still decides.
export async function firstExecutable(candidates: readonly string[], check: ExecutableCheck = isExecutableFile): Promise<string | null> {
  const ok = await Promise.all(candidates.map((c) => check(c)));
  const i = ok.indexOf(true);
  return i === -1 ? null : candidates[i]!;
}
