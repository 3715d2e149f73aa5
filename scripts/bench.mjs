// `npm run bench`: every benchmark, each figure printed next to a baseline measured in the same run.
import './lib/require-node.mjs'; // first: an older Node stops here with what to install
import { runTurbo } from './lib/turbo.mjs';
import { readdirSync } from 'node:fs';
import { ensureDebianPackages, ensureNodeModules, runOrExit, step, BENCH_PACKAGES } from './lib/ensure.mjs';

if (process.platform !== 'linux') {
  process.stderr.write('✖ the benchmarks boot the test guest, which is built from Debian packages (scripts/test-guest/build.sh): run them on Debian or Ubuntu\n');
  process.exit(1);
}
ensureNodeModules();
ensureDebianPackages(BENCH_PACKAGES);
runOrExit('bash', ['scripts/test-guest/build.sh']);
runTurbo(['run', 'build', '--output-logs=errors-only']);
// The helper's benches, then the UI's (web/bench: real Chromium against the real helper).
const benches = ['helper/bench', 'web/bench'].flatMap((dir) =>
  readdirSync(new URL(`../${dir}/`, import.meta.url))
    .filter((f) => f.endsWith('.bench.ts'))
    .sort()
    .map((f) => `${dir}/${f}`),
);
for (const file of benches) {
  step(`${file} (guests run under TCG)`);
  runOrExit(process.execPath, ['--import', 'tsx', file], {
    env: { ...process.env, OPENUTM_ACCEL: process.env.OPENUTM_ACCEL ?? 'tcg' },
  });
}
