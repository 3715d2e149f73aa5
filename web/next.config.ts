import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

// Builds stay offline: no usage report to Vercel (the build reads this after loading the config).
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

const here = path.dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8')) as { version: string };

// Where the UI lives on its origin: '' at the root (the helper), '/openutm' for a GitHub Pages
// project site (pages.yml sets OPENUTM_BASE_PATH from configure-pages). Next wants it with a
// leading slash and no trailing one.
function basePathFromEnv(raw: string | undefined): string {
  const value = (raw ?? '').trim().replace(/\/+$/, '');
  if (value !== '' && !/^\/[A-Za-z0-9._~\/-]+$/.test(value)) {
    throw new Error(`OPENUTM_BASE_PATH=${JSON.stringify(raw)} is not a URL path; use something like /openutm, or leave it empty for the root`);
  }
  return value;
}

// A static export (web/out) that the helper serves at its own origin and a hosted origin
// serves as is: no server, no image optimizer, nothing fetched at build time.
const basePath = basePathFromEnv(process.env.OPENUTM_BASE_PATH);

const config: NextConfig = {
  output: 'export',
  basePath,
  reactStrictMode: true,
  // shared/ exports its TypeScript source.
  transpilePackages: ['@openutm/shared'],
  images: { unoptimized: true },
  // `npm run typecheck` (turbo's typecheck task) checks types; the build does not repeat it.
  typescript: { ignoreBuildErrors: true },
  // The base path reaches the page too: the service worker and the manifest live under it.
  env: { NEXT_PUBLIC_OPENUTM_VERSION: version, NEXT_PUBLIC_OPENUTM_BASE_PATH: basePath },
  // The workspace root, so Turbopack resolves hoisted packages and shared/ from there.
  turbopack: { root: path.join(here, '..') },
};

export default config;
