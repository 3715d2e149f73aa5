import { z } from 'zod';
import { OpenUtmError } from '@openutm/shared';
import { normalizeOrigin } from '../api/http-guards';
import { parseStaticPath } from '../api/static-paths';
import type { WebAsset } from '../api/web-root';

// The single executable's asset that lists the packed web app; every file is its own asset.
export const UI_MANIFEST_ASSET = 'openutm-ui/manifest.json';

// Written by the packager (helper/packaging), read by the helper it packs: both sides are this
// file, so the format only needs a number for executables that outlive a change.
export const UiManifestSchema = z.object({
  format: z.literal(1),
  // The web workspace's version when the executable was built.
  uiVersion: z.string().min(1),
  // Where the same UI is hosted (GitHub Pages), allowed as origins so that UI updates reach
  // people without a new executable; set at package time (OPENUTM_HOSTED_ORIGINS).
  hostedOrigins: z.array(z.string()).default([]),
  files: z.array(
    z.object({
      // Slash-separated, relative to the export's root, as a request path names it.
      path: z.string().min(1),
      asset: z.string().min(1),
      size: z.number().int().nonnegative(),
      mtimeMs: z.number().nonnegative(),
    }),
  ),
});
export type UiManifest = z.infer<typeof UiManifestSchema>;

// The asset key a file of the export is packed under.
export function assetKeyFor(relPath: string): string {
  return `openutm-ui/files/${relPath}`;
}

// Whether a manifest path is one a request can name exactly: the same rules as parseStaticPath,
// so a packed file never answers for a path the server would refuse.
export function isServablePath(relPath: string): boolean {
  const parsed = parseStaticPath(`/${relPath}`);
  return parsed.ok && parsed.segments.length > 0 && !parsed.trailingSlash && parsed.segments.join('/') === relPath;
}

// Turns the manifest and an asset reader into the map the asset web root serves. A manifest
// that does not match its assets is refused whole: a half-served app is worse than a clear error.
export function webAssetsFromManifest(
  raw: unknown,
  readAsset: (key: string) => Uint8Array,
): { uiVersion: string; hostedOrigins: string[]; files: Map<string, WebAsset> } {
  const parsed = UiManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new OpenUtmError('INTERNAL', `the web app packed in this executable has an unreadable manifest (${parsed.error.issues[0]?.message}); rebuild it with \`npm run package\``);
  }
  const files = new Map<string, WebAsset>();
  for (const f of parsed.data.files) {
    if (!isServablePath(f.path)) {
      throw new OpenUtmError('INTERNAL', `the web app packed in this executable lists "${f.path}", which is not a plain relative path; rebuild it with \`npm run package\``);
    }
    const bytes = readAsset(f.asset);
    if (bytes.byteLength !== f.size) {
      throw new OpenUtmError('INTERNAL', `the packed file ${f.path} holds ${bytes.byteLength} bytes, not the ${f.size} its manifest says; rebuild it with \`npm run package\``);
    }
    files.set(f.path, { bytes, mtime: new Date(f.mtimeMs) });
  }
  const hostedOrigins = parsed.data.hostedOrigins.map((o) => {
    try {
      return normalizeOrigin(o);
    } catch (e) {
      throw new OpenUtmError('INTERNAL', `this executable was packaged with a bad hosted origin: ${(e as Error).message}; rebuild it with \`npm run package\``);
    }
  });
  return { uiVersion: parsed.data.uiVersion, hostedOrigins, files };
}
