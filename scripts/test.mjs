// `npm test`: the one test command. Installs what is missing, builds the test guest, then runs
// type checks, lint, and every unit and integration test of every workspace.
import './lib/require-node.mjs'; // first: an older Node stops here with what to install
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ensureDebianPackages, ensureNodeModules, hostPackagesNote, repoRoot, runOrExit, step, TEST_PACKAGES } from './lib/ensure.mjs';
import { partitionVmTests, vmTestSkipReason } from './lib/vm-tests.mjs';

const skipVms = vmTestSkipReason();
ensureNodeModules();
if (process.platform === 'linux' && !skipVms) ensureDebianPackages(TEST_PACKAGES);
else if (hostPackagesNote()) step(`${hostPackagesNote()}; tests needing Linux-only tools (gio, dbus, python3, /usr/bin/qemu-*) skip and say why`);

if (skipVms) {
  step(`VM tests skipped: ${skipVms} (OPENUTM_SKIP_VM_TESTS)`);
} else {
  step('building the test guest (cached)');
  runOrExit('bash', ['scripts/test-guest/build.sh']);
}

step('build + type check');
runOrExit('npx', ['turbo', 'run', 'build', 'typecheck', '--output-logs=errors-only']);

step('lint');
runOrExit('npx', ['eslint', '--max-warnings=0', '.']);

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.ts')) out.push(path.relative(repoRoot, full));
  }
  return out;
}
const filter = process.argv.slice(2);
const selected = ['shared', 'helper', 'web']
  .flatMap((ws) => findTests(path.join(repoRoot, ws)))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();
const { run: files, skipped } = skipVms ? partitionVmTests(selected, (f) => readFileSync(path.join(repoRoot, f), 'utf8')) : { run: selected, skipped: [] };
if (skipped.length > 0) process.stderr.write(`  skipped (they boot the test guest): ${skipped.join(', ')}\n`);

step(`tests: ${files.length} files (guests run under TCG)`);
runOrExit(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  env: { ...process.env, OPENUTM_ACCEL: process.env.OPENUTM_ACCEL ?? 'tcg' },
});
