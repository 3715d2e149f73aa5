// `npm run build` / `npm run typecheck`: turbo with its telemetry off (lib/turbo.mjs), the same
// way npm start and npm test run it. Arguments go to turbo as they are.
import './lib/require-node.mjs'; // first: an older Node stops here with what to install
import { runTurbo } from './lib/turbo.mjs';

runTurbo(process.argv.slice(2));
