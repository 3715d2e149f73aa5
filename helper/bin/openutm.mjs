#!/usr/bin/env node
// The installed command: runs the bundled helper, and tells a developer how to build it if missing.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/openutm.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('openutm: the helper is not built yet; run `npm run build` in the repository first.\n');
  process.exit(1);
}
await import(pathToFileURL(bundle).href);
