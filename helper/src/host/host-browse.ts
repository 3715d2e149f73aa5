import { existsSync } from 'node:fs';
import { lstat, opendir, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { OpenUtmError, type HostDirEntry, type HostDirListing } from '@openutm/shared';

// A folder with more entries than this is cut (and says so): the chooser stays responsive and
// the answer stays well under the WebSocket's payload limit.
export const MAX_BROWSE_ENTRIES = 2000;
// And at this many bytes of JSON: long names and link targets must not push the answer past
// the protocol's 1 MiB message limit.
export const MAX_BROWSE_BYTES = 512 * 1024;
// What one listing may cost the helper, whoever asks (a client could point it at a folder of
// millions of files, or a slow network mount): names read from the folder, and time spent
// reading and examining them. Past either the listing is cut and says so (`truncated`).
export const MAX_BROWSE_READ = 10_000;
export const BROWSE_TIME_MS = 2_000;
// Entries examined at once (lstat and, for links, stat + readlink).
const DESCRIBE_CONCURRENCY = 32;

export interface BrowseRequest {
  path?: string;
  showHidden: boolean;
}

export interface BrowseHost {
  home: string;
  // win32 paths on Windows; tests pass posix.
  pathApi?: path.PlatformPath;
  maxEntries?: number;
  maxBytes?: number;
  maxRead?: number;
  timeMs?: number;
  now?: () => number;
}

// Where the chooser opens: ~/Downloads, where ISOs land, else the home folder.
export function defaultBrowseStart(home: string, exists: (p: string) => boolean = existsSync, pathApi = path): string {
  const downloads = pathApi.join(home, 'Downloads');
  return exists(downloads) ? downloads : home;
}

// Lists one folder for the wizard's ISO chooser: resolve → check it is a folder → read →
// describe each entry (symlinks followed once, to say what they point at) → sort, folders first.
export async function browseHost(req: BrowseRequest, host: BrowseHost): Promise<HostDirListing> {
  const p = host.pathApi ?? path;
  const dir = resolveBrowsePath(req.path, host.home, p);
  await requireDirectory(dir);
  const now = host.now ?? Date.now;
  const deadline = now() + (host.timeMs ?? BROWSE_TIME_MS);
  const read = await readNames(dir, host.maxRead ?? MAX_BROWSE_READ, () => now() >= deadline);
  const visible = read.names.filter((n) => req.showHidden || !isHidden(n));
  const entries = await describeUntil(visible, (name) => describeEntry(p.join(dir, name), name), () => now() >= deadline);
  entries.sort(compareEntries);
  const kept = withinLimits(entries, host.maxEntries ?? MAX_BROWSE_ENTRIES, host.maxBytes ?? MAX_BROWSE_BYTES);
  const parent = p.dirname(dir);
  const truncated = !read.complete || entries.length < visible.length || kept.length < entries.length;
  return { path: dir, parent: parent === dir ? null : parent, home: host.home, entries: kept, truncated };
}

// The folder's names, read one batch at a time, up to `max` or until `late()`.
async function readNames(dir: string, max: number, late: () => boolean): Promise<{ names: string[]; complete: boolean }> {
  const names: string[] = [];
  let handle;
  try {
    handle = await opendir(dir, { bufferSize: 256 });
  } catch (e) {
    throw browseError(e, dir);
  }
  try {
    for (;;) {
      if (names.length >= max || late()) return { names, complete: false };
      const entry = await handle.read();
      if (entry === null) return { names, complete: true };
      names.push(entry.name);
    }
  } catch (e) {
    throw browseError(e, dir);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

// Describes names a few at a time, in order, and stops starting new ones once `late()`.
async function describeUntil<T>(names: string[], describe: (name: string) => Promise<T>, late: () => boolean): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < names.length && !late(); i += DESCRIBE_CONCURRENCY) {
    out.push(...(await Promise.all(names.slice(i, i + DESCRIBE_CONCURRENCY).map(describe))));
  }
  return out;
}

// The first entries that fit both limits.
function withinLimits(entries: HostDirEntry[], maxEntries: number, maxBytes: number): HostDirEntry[] {
  let bytes = 0;
  let n = 0;
  for (const e of entries) {
    bytes += JSON.stringify(e).length + 1;
    if (n >= maxEntries || bytes > maxBytes) break;
    n++;
  }
  return entries.slice(0, n);
}

// Absolute, `..` and `.` folded away; a relative path is refused rather than guessed at.
export function resolveBrowsePath(requested: string | undefined, home: string, p: path.PlatformPath = path): string {
  if (requested === undefined || requested.trim() === '') return defaultBrowseStart(home, existsSync, p);
  // `~\` too on Windows, where both separators are at home.
  const tilde = requested === '~' || requested.startsWith('~/') || (p.sep === '\\' && requested.startsWith('~\\'));
  const expanded = tilde ? p.join(home, requested.slice(1)) : requested;
  if (!p.isAbsolute(expanded)) {
    throw new OpenUtmError('UNSAFE_PATH', `a folder to browse must be an absolute path such as ${p.join(home, 'Downloads')}, got ${JSON.stringify(requested)}`);
  }
  return p.resolve(expanded);
}

async function requireDirectory(dir: string): Promise<void> {
  let info;
  try {
    info = await stat(dir);
  } catch (e) {
    throw browseError(e, dir);
  }
  if (!info.isDirectory()) {
    throw new OpenUtmError('BAD_REQUEST', `${dir} is a file, not a folder; open the folder that holds it`, { path: dir });
  }
}

// What went wrong with a folder, in words that say what to do; errno codes are the OS's.
export function browseError(e: unknown, dir: string): OpenUtmError {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return new OpenUtmError('NOT_FOUND', `the folder ${dir} does not exist; check the path or pick another folder`, { path: dir });
    case 'ENOTDIR':
      return new OpenUtmError('NOT_FOUND', `${dir} is not a folder (part of the path is a file); check the path`, { path: dir });
    case 'EACCES':
    case 'EPERM':
      return new OpenUtmError('IO_ERROR', `the helper may not read the folder ${dir} (permission denied); pick another folder or type the file's path`, { path: dir, errno: code });
    case 'ELOOP':
      return new OpenUtmError('IO_ERROR', `the folder ${dir} is a loop of symbolic links; pick another folder`, { path: dir, errno: code });
    default:
      return new OpenUtmError('IO_ERROR', `reading the folder ${dir} failed (${code ?? (e instanceof Error ? e.message : String(e))}); pick another folder`, { path: dir });
  }
}

function isHidden(name: string): boolean {
  return name.startsWith('.');
}

// One entry; an entry that vanishes or cannot be examined is still listed, as "other".
async function describeEntry(full: string, name: string): Promise<HostDirEntry> {
  const base = { name, hidden: isHidden(name) };
  let info;
  try {
    info = await lstat(full);
  } catch {
    return { ...base, kind: 'other', size: null, link: null };
  }
  if (info.isSymbolicLink()) {
    const target = await readlink(full).catch(() => '');
    const resolved = await stat(full).catch(() => null);
    const targetKind = resolved === null ? 'missing' : resolved.isDirectory() ? 'directory' : resolved.isFile() ? 'file' : 'other';
    return { ...base, kind: 'symlink', size: resolved?.isFile() ? resolved.size : null, link: { target, targetKind } };
  }
  if (info.isDirectory()) return { ...base, kind: 'directory', size: null, link: null };
  if (info.isFile()) return { ...base, kind: 'file', size: info.size, link: null };
  return { ...base, kind: 'other', size: null, link: null };
}

// Folders (and links to folders) first, then by name, case-insensitively, in code-point order
// (the bundled Node has no full ICU, and the order only needs to be stable and predictable).
function compareEntries(a: HostDirEntry, b: HostDirEntry): number {
  const dirA = a.kind === 'directory' || a.link?.targetKind === 'directory';
  const dirB = b.kind === 'directory' || b.link?.targetKind === 'directory';
  if (dirA !== dirB) return dirA ? -1 : 1;
  const la = a.name.toLowerCase();
  const lb = b.name.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
