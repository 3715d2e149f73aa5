// The VM-test skip switch. OPENUTM_SKIP_VM_TESTS holds the reason a runner cannot boot the test
// guest (CI sets it on macOS and Windows only); `npm test` then does not build the guest and
// leaves out every test file that boots one, printing the reason and the files.
import { readFileSync } from 'node:fs';

// A test file boots a guest when it asks the test-guest support for one.
const BOOTS_A_GUEST = /\b(testGuest|kernelGuestRequest|createKernelGuest)\(/;

// Off Linux the guest cannot be built at all, so the reason is given even when nobody set it.
export function vmTestSkipReason(env = process.env, platform = process.platform) {
  const reason = env.OPENUTM_SKIP_VM_TESTS?.trim();
  if (reason) return reason;
  if (platform !== 'linux') return `the test guest is built from Debian packages (scripts/test-guest/build.sh), which ${platform} does not have`;
  return null;
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
