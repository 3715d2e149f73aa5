// Imported first by the npm scripts (start, test, bench, package): an older Node stops here with
// what to install, before a missing API fails somewhere deep in a build or a test.
import { nodeVersionProblem } from './node-version.mjs';

const problem = nodeVersionProblem(process.version);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
