// Bundles the helper into one CommonJS file: `openutm` starts fast, needs no TypeScript at run
// time, and the same file is what Node's single-executable support injects (SEA runs CommonJS
// only). CommonJS also spares the helper the ESM loader's resident memory.
import { build } from 'esbuild';
import { HELPER_BUNDLE_OPTIONS } from './bundle-options.mjs';

await build({
  ...HELPER_BUNDLE_OPTIONS,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/openutm.cjs',
  sourcemap: 'linked',
});
