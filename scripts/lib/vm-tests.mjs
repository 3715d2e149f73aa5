// The VM-test skip switch. OPENUTM_SKIP_VM_TESTS holds the reason a runner cannot boot the test
// guest (nobody sets it in CI: macOS and Windows get the guest Linux built); `npm test` then does
// not build the guest and leaves out every test file that boots one, printing the reason and the files.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// A test file boots a guest when it asks the test-guest support (or the agent guest's) for one.
const BOOTS_A_GUEST = /\b(testGuest|kernelGuestRequest|createKernelGuest|agentGuest|agentGuestRequest|startAgentGuest)\(/;

// Off Linux the guest cannot be built at all, so without a prebuilt one the reason is given even
// when nobody set it.
export function vmTestSkipReason(env = process.env, platform = process.platform, hasGuest = false) {
  const reason = env.OPENUTM_SKIP_VM_TESTS?.trim();
  if (reason) return reason;
  if (platform !== 'linux' && !hasGuest) {
    return `the test guest is built from Debian packages (scripts/test-guest/build.sh), which ${platform} does not have; put a prebuilt one (CI's test-guest artifact) in .cache/test-guest to run them`;
  }
  return null;
}

// Where npm test gets the guest from: 'skip' (with the reason), 'prebuilt' (handed over, as CI
// hands Linux's build to macOS and Windows: used as it is, its checksums checked, never rebuilt:
// build.sh would need apt) or 'build' (Debian/Ubuntu: build.sh, cached). OPENUTM_TEST_GUEST_PREBUILT=1
// asks for the prebuilt one on Linux too, as the Linux CI job does so that all three run the same guest.
export function guestSource({ env = process.env, platform = process.platform, hasGuest, hasApt }) {
  const prebuilt = env.OPENUTM_TEST_GUEST_PREBUILT === '1';
  const skip = vmTestSkipReason(env, platform, hasGuest || prebuilt);
  if (skip) return { kind: 'skip', reason: skip };
  if (prebuilt) {
    if (!hasGuest) return { kind: 'missing', reason: 'OPENUTM_TEST_GUEST_PREBUILT=1 but .cache/test-guest/manifest.json is missing: download the test-guest artifact there first' };
    return { kind: 'prebuilt' };
  }
  if (hasGuest && (platform !== 'linux' || !hasApt)) return { kind: 'prebuilt' };
  return { kind: 'build' };
}

// The guest's folder and whether it holds a guest (its manifest, written last by build.sh).
export function testGuestDir(repoRoot, env = process.env) {
  return env.OPENUTM_TEST_GUEST_DIR ?? path.join(repoRoot, '.cache', 'test-guest');
}
export function hasTestGuest(dir) {
  return existsSync(path.join(dir, 'manifest.json'));
}

export function bootsAGuest(source) {
  return BOOTS_A_GUEST.test(source);
}

// Splits test files into those to run and those skipped for want of a guest.
export function partitionVmTests(files, read = (f) => readFileSync(f, 'utf8')) {
  const run = [];
  const skipped = [];
  for (const f of files) (bootsAGuest(read(f)) ? skipped : run).push(f);
  return { run, skipped };
}
