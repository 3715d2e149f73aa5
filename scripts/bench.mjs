// `npm run bench`: every benchmark, each figure printed next to a baseline measured in the same run.
import { readdirSync } from 'node:fs';
import { ensureDebianPackages, ensureNodeModules, runOrExit, step, BENCH_PACKAGES } from './lib/ensure.mjs';

ensureNodeModules();
if (process.platform === 'linux') ensureDebianPackages(BENCH_PACKAGES);
runOrExit('bash', ['scripts/test-guest/build.sh']);
runOrExit('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
const benches = readdirSync(new URL('../helper/bench/', import.meta.url)).filter((f) => f.endsWith('.bench.ts')).sort();
for (const file of benches) {
  step(`${file} (guests run under TCG)`);
  runOrExit(process.execPath, ['--import', 'tsx', `helper/bench/${file}`], {
    env: { ...process.env, OPENUTM_ACCEL: process.env.OPENUTM_ACCEL ?? 'tcg' },
  });
}
