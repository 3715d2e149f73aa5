import type { HostDirEntry } from '@openutm/shared';

// Disc images QEMU can put in a CD drive: ISO 9660 files, raw images, and macOS's .cdr.
const DISC_IMAGE = /\.(iso|img|cdr)$/i;

export function isDiscImage(name: string): boolean {
  return DISC_IMAGE.test(name);
}

function isFolder(e: HostDirEntry): boolean {
  return e.kind === 'directory' || e.link?.targetKind === 'directory';
}

// What the chooser lists: disc images first (what the person came for), then folders, then (only
// with "Show all files") every other file; each group keeps the helper's name order.
export function chooserEntries(entries: readonly HostDirEntry[], showAll: boolean): HostDirEntry[] {
  const discs = entries.filter((e) => !isFolder(e) && isDiscImage(e.name));
  const folders = entries.filter(isFolder);
  const others = showAll ? entries.filter((e) => !isFolder(e) && !isDiscImage(e.name)) : [];
  return [...discs, ...folders, ...others];
}
