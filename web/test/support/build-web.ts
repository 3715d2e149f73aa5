import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const OUT_DIR = path.join(WEB_DIR, 'out');
const SHARED_SRC = path.resolve(WEB_DIR, '../shared/src');

function newestMtime(p: string): number {
  const st = statSync(p, { throwIfNoEntry: false });
  if (st === undefined) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(p).map((name) => newestMtime(path.join(p, name))));
}

// Builds the static export unless web/out is newer than everything it is built from (turbo's
// build task usually ran just before `npm test`). OPENUTM_WEB_REBUILD=1 forces a build.
export function ensureWebBuilt(): void {
  const built = statSync(path.join(OUT_DIR, 'index.html'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = Math.max(
    ...['src', 'public', 'scripts', 'next.config.ts', 'postcss.config.mjs', 'package.json'].map((p) => newestMtime(path.join(WEB_DIR, p))),
    newestMtime(SHARED_SRC),
  );
  if (process.env.OPENUTM_WEB_REBUILD !== '1' && built > sources) return;
  const next = createRequire(import.meta.url).resolve('next/dist/bin/next');
  const r = spawnSync(process.execPath, [next, 'build'], {
    cwd: WEB_DIR,
    encoding: 'utf8',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`next build failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  // The service worker is written over the export after it (package.json's build does the same).
  const sw = spawnSync(process.execPath, [path.join(WEB_DIR, 'scripts/build-sw.mjs')], { cwd: WEB_DIR, encoding: 'utf8', timeout: 120_000 });
  if (sw.status !== 0) throw new Error(`build-sw failed (${sw.status ?? sw.signal}):\n${sw.stdout}\n${sw.stderr}`);
}
