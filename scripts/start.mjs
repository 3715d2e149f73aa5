// `npm start`: from a fresh clone to a running helper. Installs what is missing, builds, serves.
import './lib/require-node.mjs'; // first: an older Node stops here with what to install
import { runTurbo } from './lib/turbo.mjs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureDebianPackages, ensureNodeModules, hostPackagesNote, repoRoot, RUNTIME_PACKAGES, step } from './lib/ensure.mjs';

ensureNodeModules();
if (process.platform === 'linux') ensureDebianPackages(RUNTIME_PACKAGES);
else step(`${hostPackagesNote()}; \`openutm doctor\` says what is missing`);
step('building');
runTurbo(['run', 'build', '--output-logs=errors-only']);
step('starting the helper (Ctrl+C stops it; VMs keep running and are re-attached next time; `npm run package` builds it as one executable)');
const child = spawn(process.execPath, [path.join(repoRoot, 'helper/bin/openutm.cjs'), 'serve', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
