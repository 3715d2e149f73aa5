import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as sea from 'node:sea';
import { fileURLToPath } from 'node:url';
import { assetWebRoot, type WebRoot } from '../api/web-root';
import { UI_MANIFEST_ASSET, UiManifestSchema, webAssetsFromManifest } from './ui-manifest';

// The web app this helper serves, its version ('none' when there is no app to serve), and the
// origins where the same app is hosted (packed into the executable at build time).
export interface WebUi {
  root: string | WebRoot;
  version: string;
  hostedOrigins: string[];
}

// The single executable serves the app packed into it, so it works with no network and no
// checkout; run from a checkout, the helper serves web/out, which may be rebuilt while it runs.
export function locateWebUi(): WebUi {
  return packedWebUi() ?? checkoutWebUi();
}

// Only the UI's version, without reading the app's files (for `openutm --version`).
export function webUiVersion(): string {
  const raw = packedManifest();
  if (raw !== null) return UiManifestSchema.safeParse(raw).data?.uiVersion ?? 'unreadable';
  return checkoutWebUi().version;
}

function packedManifest(): unknown {
  if (typeof sea.isSea !== 'function' || !sea.isSea()) return null;
  let text: string;
  try {
    text = sea.getAsset(UI_MANIFEST_ASSET, 'utf8');
  } catch {
    // Packed without a UI: served like a checkout without web/out.
    return null;
  }
  return JSON.parse(text) as unknown;
}

function packedWebUi(): WebUi | null {
  const raw = packedManifest();
  if (raw === null) return null;
  // getRawAsset is a view of the executable's own mapped pages: no copy, and only the pages
  // that are served are ever read in.
  const { uiVersion, hostedOrigins, files } = webAssetsFromManifest(raw, (key) => new Uint8Array(sea.getRawAsset(key) as ArrayBuffer));
  return { root: assetWebRoot(`the web app packed into ${process.execPath}`, files), version: uiVersion, hostedOrigins };
}

// web/out in a checkout, seen from the bundle (helper/dist) or from the sources
// (helper/src/web-ui); its version is the web workspace's.
function checkoutWebUi(): WebUi {
  const candidates = ['../../web/out', '../../../web/out'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  const dir = candidates.find((d) => existsSync(d));
  if (dir === undefined) return { root: candidates[0]!, version: 'none', hostedOrigins: [] };
  return { root: dir, version: packageVersion(path.join(dir, '..', 'package.json')), hostedOrigins: [] };
}

function packageVersion(file: string): string {
  try {
    const v = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}
