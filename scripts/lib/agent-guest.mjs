// Where npm test gets the agent test guest (scripts/agent-guest) from, and which test files need
// it. It is built like the busybox guest wherever Debian's apt is (cached; the build needs root
// and says so), used as it is when one was handed over, and otherwise its tests are left out
// with the reason: it cannot be built off Debian/Ubuntu.
import { existsSync } from 'node:fs';
import path from 'node:path';

// A test file boots the agent guest when it asks the agent-guest support for one.
const BOOTS_AGENT_GUEST = /\b(agentGuest|agentGuestRequest|attachAgentGuestDisk|startAgentGuest)\(/;

export function agentGuestDir(repoRoot, env = process.env) {
  return env.OPENUTM_AGENT_GUEST_DIR ?? path.join(repoRoot, '.cache', 'agent-guest');
}
export function hasAgentGuest(dir) {
  return existsSync(path.join(dir, 'manifest.json'));
}

// 'skip' (with the reason), 'prebuilt' (checked, never rebuilt) or 'build' (build.sh, cached).
// vmSkipReason: why no VM test runs at all (vm-tests.mjs), which covers this guest too.
export function agentGuestSource({ vmSkipReason = null, platform = process.platform, hasGuest, hasApt }) {
  if (vmSkipReason) return { kind: 'skip', reason: vmSkipReason };
  if (platform === 'linux' && hasApt) return { kind: 'build' };
  if (hasGuest) return { kind: 'prebuilt' };
  return {
    kind: 'skip',
    reason: `the agent test guest is built from Debian packages (scripts/agent-guest/build.sh, as root), which this ${platform} host cannot do; put a prebuilt one in .cache/agent-guest to run them`,
  };
}

export function bootsAgentGuest(source) {
  return BOOTS_AGENT_GUEST.test(source);
}
