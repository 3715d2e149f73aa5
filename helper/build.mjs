// Bundles the helper into one CommonJS file: `openutm` starts fast, needs no TypeScript at run
// time, and the same file is what Node's single-executable support injects (SEA runs CommonJS
// only). CommonJS also spares the helper the ESM loader's resident memory.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/openutm.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  legalComments: 'none',
  // Smaller source is less memory for V8 to hold; the source map keeps stack traces readable.
  minify: true,
  define: {
    // The sources are ESM; in the bundle import.meta.url is this file's URL.
    'import.meta.url': '__openutmBundleUrl',
    // ws's optional native addons: a single executable cannot load them, so never look.
    'process.env.WS_NO_BUFFER_UTIL': '"1"',
    'process.env.WS_NO_UTF_8_VALIDATE': '"1"',
  },
  banner: { js: "const __openutmBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
