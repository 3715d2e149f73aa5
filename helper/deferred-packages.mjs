// An esbuild plugin that puts a package into the helper's bundle as a string of its own bundled
// code, compiled only when the helper first imports it. Needed for execa: as ordinary bundle
// code its many top-level functions made V8's parse of the whole bundle cost ~5 MiB more of
// malloc'd memory that stayed resident (idle helper 63.9 MiB; 58.7 MiB this way), even though
// esbuild already ran its module code lazily. Only Node built-ins may be required by such a
// package: a single executable has nothing else to require.
import { build } from 'esbuild';

export function deferredPackages(names) {
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
  return {
    name: 'deferred-packages',
    setup(b) {
      b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'deferred-package', pluginData: { resolveDir: args.resolveDir } }));
      b.onLoad({ filter: /.*/, namespace: 'deferred-package' }, async (args) => {
        const inner = await build({
          entryPoints: [args.path],
          absWorkingDir: args.pluginData.resolveDir,
          bundle: true,
          platform: 'node',
          target: 'node20',
          format: 'cjs',
          minify: true,
          legalComments: 'none',
          write: false,
          logLevel: 'warning',
        });
        const code = inner.outputFiles[0].text;
        // new Function, not eval: the code sees only module, exports and require.
        const contents = `const m = { exports: {} };\nnew Function('module', 'exports', 'require', ${JSON.stringify(code)})(m, m.exports, require);\nmodule.exports = m.exports;\n`;
        return { contents, loader: 'js', resolveDir: args.pluginData.resolveDir };
      });
    },
  };
}
