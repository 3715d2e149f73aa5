// `npm run package` (via scripts/package.mjs): the single executable for this host, rebuilt
// every time it is asked for.
import { buildExecutable } from './build-executable';

try {
  buildExecutable({ force: process.argv.includes('--force') || !process.argv.includes('--if-stale'), log: (line) => process.stdout.write(`  ${line}\n`) });
} catch (e) {
  process.stderr.write(`npm run package: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
