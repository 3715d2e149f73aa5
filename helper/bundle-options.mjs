// esbuild options of the helper's bundle (build.mjs), shared with the console bench, which runs
// its bridge from a bundle built the same way so that it is measured as the helper runs it.
import { deferredPackages } from './deferred-packages.mjs';
import { lazyZodMethods } from './lazy-zod-methods.mjs';

export const HELPER_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
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
  plugins: [deferredPackages(['execa']), lazyZodMethods()],
  logLevel: 'warning',
};
