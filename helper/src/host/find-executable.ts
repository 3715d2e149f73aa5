import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';

// Decides whether a path is a program this user can run; injectable so search order tests need no files.
export type ExecutableCheck = (path: string) => Promise<boolean>;

// What Node's spawn can start without a shell on Windows, which has no execute bit: programs
// (.exe, .com). Scripts (.cmd, .bat, .ps1) would need a shell, which QEMU is never run through.
export function windowsCanRun(file: string): boolean {
  return /\.(exe|com)$/i.test(file);
}

// A regular file this user may execute: the execute bit on POSIX, a program's extension on Windows.
export async function isExecutableFile(path: string, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  if (platform === 'win32' && !windowsCanRun(path)) return false;
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    if (platform !== 'win32') await access(path, constants.X_OK);
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
