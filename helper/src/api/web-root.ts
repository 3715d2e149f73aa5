import { open, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

// One file of the web app, found and ready to send.
export interface WebFile {
  readonly size: number;
  readonly mtime: Date;
  // The bytes, taken once: a stream from disk, or the bytes themselves when they are in memory.
  take(): Readable | Uint8Array;
  // Lets go of the file when it is not sent (HEAD, 304).
  release(): Promise<void>;
}

// What a lookup finds; 'outside' means the path resolved out of the root (a symlink).
export type WebLookup = WebFile | 'missing' | 'outside';

// An app that can be served right now. Segments come from parseStaticPath: no `.`/`..`, no
// separators inside a segment.
export interface WebSource {
  open(segments: readonly string[]): Promise<WebLookup>;
}

// Where the web app comes from: the export on disk (web/out) or the assets packed into the
// single executable. The static file server only sees this, so both get the same headers.
export interface WebRoot {
  // Named in the page shown when there is nothing to serve.
  readonly label: string | undefined;
  // The app as it is now, or null when there is none (yet).
  current(): Promise<WebSource | null>;
}

// The export on disk, looked up per request because the app may be built while the helper
// runs. Every file is checked after symlinks are resolved, so nothing outside the root is read.
export function directoryWebRoot(dir: string | undefined): WebRoot {
  return {
    label: dir,
    async current() {
      if (dir === undefined) return null;
      const root = await realpath(dir).catch(() => null);
      return root === null ? null : { open: (segments) => openInside(root, segments) };
    },
  };
}

async function openInside(root: string, segments: readonly string[]): Promise<WebLookup> {
  let real: string;
  try {
    real = await realpath(path.join(root, ...segments));
  } catch {
    return 'missing';
  }
  if (!real.startsWith(root + path.sep)) return 'outside';
  let fh: FileHandle;
  try {
    fh = await open(real, 'r');
  } catch {
    return 'missing';
  }
  // Stat the open handle, not the path, so what is checked is what is sent.
  const st = await fh.stat().catch(() => null);
  if (st === null || !st.isFile()) {
    await fh.close();
    return 'missing';
  }
  return {
    size: st.size,
    mtime: st.mtime,
    // The stream closes the handle.
    take: () => fh.createReadStream(),
    release: () => fh.close(),
  };
}

// One file held in memory: its bytes and the time the packager saw it change.
export interface WebAsset {
  bytes: Uint8Array;
  mtime: Date;
}

// The app as a map from slash-joined path to bytes (the single executable's assets). There is
// no file system underneath, so the only paths that exist are the map's keys.
export function assetWebRoot(label: string, files: ReadonlyMap<string, WebAsset>): WebRoot {
  const source: WebSource = {
    async open(segments) {
      const asset = files.get(segments.join('/'));
      if (asset === undefined) return 'missing';
      return { size: asset.bytes.byteLength, mtime: asset.mtime, take: () => asset.bytes, release: async () => undefined };
    },
  };
  return { label, current: async () => source };
}
