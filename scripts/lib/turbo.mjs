// Every turbo run of the npm scripts goes through here, so none reports usage anywhere: builds
// reach no network but the package registries (npm ci/install). turbo.json lists no env to pass
// through, which keeps turbo passing the whole environment (these switches too) to its tasks.
import { runOrExit } from './ensure.mjs';

// turbo's and Next's telemetry off, and DO_NOT_TRACK (consoledonottrack.com) for any other tool
// that honours it; turbo's update notice is off too (it asks the registry on every run).
export const OFFLINE_BUILD_ENV = {
  TURBO_TELEMETRY_DISABLED: '1',
  TURBO_NO_UPDATE_NOTIFIER: '1',
  DO_NOT_TRACK: '1',
  NEXT_TELEMETRY_DISABLED: '1',
};

// `npx turbo run <tasks…>` with telemetry off; exits with turbo's status when it fails.
export function runTurbo(args, env = process.env) {
  runOrExit('npx', ['turbo', ...args], { env: { ...env, ...OFFLINE_BUILD_ENV } });
}
