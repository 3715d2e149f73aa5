import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { OpenUtmError } from '@openutm/shared';
import { ImageFormat, type ImageInfo, type InspectedImage } from './image-info';

// How QEMU would read a file name stored in an image header (backing file, data file).
export type ImageReference =
  | { kind: 'json'; name: string }
  | { kind: 'protocol'; name: string; protocol: string }
  | { kind: 'path'; name: string };

// QEMU's path_has_protocol(): a name with ':' before any '/' (or '\' on Windows) is a protocol
// (nbd:, http:, ssh:, file:, json:, fat: …) unless it is a Windows drive letter. Only plain
// paths are ever acceptable in an image someone else may have written.
export function classifyReference(name: string, platform: NodeJS.Platform = process.platform): ImageReference {
  if (name.startsWith('json:')) return { kind: 'json', name };
  if (platform === 'win32' && /^[A-Za-z]:([\\/]|$)/.test(name)) return { kind: 'path', name };
  const stop = platform === 'win32' ? /[:/\\]/.exec(name) : /[:/]/.exec(name);
  if (stop && stop[0] === ':') return { kind: 'protocol', name, protocol: name.slice(0, stop.index) };
  return { kind: 'path', name };
}

// QEMU's path_combine(): a relative backing name is glued to the folder part of the image's
// file name as a string, and the kernel resolves it. Lexical normalisation ("dir/../x" → "x")
// would be wrong when dir is a symlink, so the result is deliberately left unnormalised.
export function combineBackingPath(imageFilename: string, name: string, platform: NodeJS.Platform = process.platform): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  if (p.isAbsolute(name)) return name;
  const cut = platform === 'win32' ? Math.max(imageFilename.lastIndexOf('/'), imageFilename.lastIndexOf('\\')) : imageFilename.lastIndexOf('/');
  return imageFilename.slice(0, cut + 1) + name;
}

export interface BackingCheckOptions {
  // The real path of a file; injected by tests. Must resolve symlinks and ".." physically, as
  // fs.promises.realpath (realpath(3)) does; fs.realpathSync's JS version does not.
  realpath?: (p: string) => Promise<string>;
  platform?: NodeJS.Platform;
}

// Refuses an image that makes QEMU open anything outside the VM's folder: a backing file or
// qcow2 data file outside that folder (after following every symlink), a json:/protocol name
// (nbd:, http: … would reach the network), a backing file without a stated format (QEMU would
// probe it), or a backing format other than qcow2/raw. Every link of the chain is checked.
export async function assertBackingInside(image: InspectedImage, folder: string, options: BackingCheckOptions = {}): Promise<void> {
  const real = options.realpath ?? ((p: string) => realpath(p));
  const platform = options.platform ?? process.platform;
  const root = await real(folder);
  const chain: ImageInfo[] = [image, ...image.backingChain];
  for (const info of chain) {
    if (info.dataFile !== null) {
      await assertReferenceInside(info, info.dataFile, 'external data file', root, real, platform);
    }
    if (info.backingFilename === null) continue;
    await assertReferenceInside(info, info.backingFilename, 'backing file', root, real, platform);
    // qemu-img resolves json: names into full-backing-filename too; refuse those as well.
    if (info.fullBackingFilename !== null && classifyReference(info.fullBackingFilename, platform).kind !== 'path') {
      throw unsafe(info, `its backing file resolves to "${info.fullBackingFilename}", which is not a plain file`);
    }
    if (info.backingFormat === null) {
      throw unsafe(info, `its backing file "${info.backingFilename}" has no recorded format, so QEMU would guess it from the contents`);
    }
    if (!ImageFormat.safeParse(info.backingFormat).success) {
      throw unsafe(info, `its backing file "${info.backingFilename}" has format "${info.backingFormat}"; only qcow2 and raw backing files are allowed`);
    }
  }
}

async function assertReferenceInside(
  info: ImageInfo,
  name: string,
  what: string,
  root: string,
  real: (p: string) => Promise<string>,
  platform: NodeJS.Platform,
): Promise<void> {
  const ref = classifyReference(name, platform);
  if (ref.kind === 'json') throw unsafe(info, `its ${what} is a json: pseudo-protocol name, which can point QEMU at any file or server`);
  if (ref.kind === 'protocol') throw unsafe(info, `its ${what} "${name}" uses the "${ref.protocol}:" protocol; only files inside the VM's folder are allowed`);
  if (name === '') throw unsafe(info, `its ${what} name is empty`);
  const target = await resolvePhysically(combineBackingPath(info.filename, name, platform), real);
  if (target === null || !isInside(root, target)) {
    throw unsafe(info, `its ${what} "${name}" is outside the VM's folder (${root})${target ? ` at ${target}` : ''}`);
  }
}

// The real path of a file that may not exist: the deepest existing ancestor is resolved and the
// missing tail appended. A missing tail containing ".." cannot be judged, so it yields null.
export async function resolvePhysically(p: string, real: (p: string) => Promise<string>): Promise<string | null> {
  const tail: string[] = [];
  let current = p;
  for (;;) {
    try {
      const resolved = await real(current);
      if (tail.some((part) => part === '..')) return null;
      return tail.length === 0 ? resolved : path.join(resolved, ...tail.reverse());
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      const parent = path.dirname(current);
      if (parent === current) return null;
      tail.push(path.basename(current));
      current = parent;
    }
  }
}

// Strictly inside: the root itself is not a disk image.
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function unsafe(info: ImageInfo, why: string): OpenUtmError {
  return new OpenUtmError('UNSAFE_PATH', `refusing the disk image ${info.filename}: ${why}. Use a disk image whose files all live in the VM's folder.`, {
    image: info.filename,
  });
}
