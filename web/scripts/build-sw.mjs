// After `next build`: writes out/sw.js, a workbox service worker that precaches the whole static
// export (HTML, route data, scripts, styles, icons), so the UI opens with the helper down or the
// network gone. Nothing else is cached: the API is a WebSocket plus POST /api/pair, never stored.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSW } from 'workbox-build';

const basePath = (process.env.OPENUTM_BASE_PATH ?? '').trim().replace(/\/+$/, '');
const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../out');

const { count, size, warnings } = await generateSW({
  globDirectory: out,
  globPatterns: ['**/*.{html,txt,js,css,png,svg,ico,webmanifest,woff2}'],
  globIgnores: ['sw.js', 'sw-head.js'],
  swDest: path.join(out, 'sw.js'),
  mode: 'production',
  // HEAD requests offline (public/sw-head.js).
  importScripts: ['sw-head.js'],
  // One file: sw.js is revalidated on every load, so a new build is noticed at once.
  inlineWorkboxRuntime: true,
  sourcemap: false,
  // The page asks the user first (the "Reload" prompt), then the new worker takes over.
  skipWaiting: false,
  clientsClaim: true,
  cleanupOutdatedCaches: true,
  // `/pair` finds pair.html (workbox's clean-URL matching, on by default), as the helper and
  // static hosts do. Query strings (`?code=`, `?vm=`) are read by the page, never by the server: same file.
  ignoreURLParametersMatching: [/.*/],
  // Next puts a content hash in every name under _next/static.
  dontCacheBustURLsMatching: /^_next\/static\//,
  maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
  // Precache URLs are the pages' own: under a hosted sub-path (OPENUTM_BASE_PATH) they carry it.
  ...(basePath ? { modifyURLPrefix: { '': `${basePath}/` } } : {}),
});
for (const w of warnings) console.warn(`build-sw: ${w}`);
console.log(`build-sw: out/sw.js precaches ${count} files, ${(size / 1024).toFixed(0)} KiB`);
