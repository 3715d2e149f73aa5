// `npm run bench`: every benchmark, each figure printed next to a baseline measured in the same run.
import { ensureDebianPackages, ensureNodeModules, runOrExit, step, TEST_PACKAGES } from './lib/ensure.mjs';

ensureNodeModules();
if (process.platform === 'linux') ensureDebianPackages(TEST_PACKAGES);
runOrExit('bash', ['scripts/test-guest/build.sh']);
runOrExit('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
step('engine benchmarks (guests under TCG)');
runOrExit(process.execPath, ['--import', 'tsx', 'helper/bench/engine.bench.ts'], {
  env: { ...process.env, OPENUTM_ACCEL: process.env.OPENUTM_ACCEL ?? 'tcg' },
});
