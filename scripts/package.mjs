// `npm run package`: the helper as one executable for this host (dist/openutm-<os>-<arch>), with
// the UI's static export packed inside, built with Node's single-executable support.
import './lib/require-node.mjs'; // first: an older Node stops here with what to install
import { runTurbo } from './lib/turbo.mjs';
import { ensureNodeModules, runOrExit, step } from './lib/ensure.mjs';

ensureNodeModules();
step('building the helper bundle and the web export');
runTurbo(['run', 'build', '--output-logs=errors-only']);
step(`packing the single executable for ${process.platform}-${process.arch}`);
runOrExit(process.execPath, ['--import', 'tsx', 'helper/packaging/package-main.ts', ...process.argv.slice(2)]);
