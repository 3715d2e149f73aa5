import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './support/test-guest';

interface AgentGuestLib {
  agentGuestSource(input: { vmSkipReason?: string | null; platform: string; hasGuest: boolean; hasApt: boolean }): { kind: string; reason?: string };
  bootsAgentGuest(source: string): boolean;
  agentGuestDir(repoRoot: string, env: Record<string, string | undefined>): string;
}
interface VmTestsLib {
  bootsAGuest(source: string): boolean;
}
const load = async <T>(rel: string) => (await import(pathToFileURL(path.join(REPO_ROOT, rel)).href)) as T;

test('npm test builds the agent guest wherever apt is, uses a handed-over one elsewhere, else skips saying why', async () => {
  const lib = await load<AgentGuestLib>('scripts/lib/agent-guest.mjs');
  const cases: { name: string; input: Parameters<AgentGuestLib['agentGuestSource']>[0]; kind: string; reason?: RegExp }[] = [
    { name: 'Debian, nothing built yet', input: { platform: 'linux', hasGuest: false, hasApt: true }, kind: 'build' },
    { name: 'Debian, built (build.sh checks its cache)', input: { platform: 'linux', hasGuest: true, hasApt: true }, kind: 'build' },
    { name: 'Linux without apt, copied guest', input: { platform: 'linux', hasGuest: true, hasApt: false }, kind: 'prebuilt' },
    { name: 'Mac with a copied guest', input: { platform: 'darwin', hasGuest: true, hasApt: false }, kind: 'prebuilt' },
    { name: 'Windows without one', input: { platform: 'win32', hasGuest: false, hasApt: false }, kind: 'skip', reason: /scripts\/agent-guest\/build\.sh.*win32 host cannot do; put a prebuilt one in \.cache\/agent-guest/ },
    { name: 'VM tests off', input: { vmSkipReason: 'no time', platform: 'linux', hasGuest: true, hasApt: true }, kind: 'skip', reason: /^no time$/ },
  ];
  for (const c of cases) {
    const got = lib.agentGuestSource(c.input);
    assert.equal(got.kind, c.kind, c.name);
    if (c.reason) assert.match(got.reason ?? '', c.reason, c.name);
  }
  assert.equal(lib.agentGuestDir('/repo', {}), path.join('/repo', '.cache', 'agent-guest'));
  assert.equal(lib.agentGuestDir('/repo', { OPENUTM_AGENT_GUEST_DIR: '/elsewhere' }), '/elsewhere');
});

test('a test file that asks for the agent guest counts as booting a guest, one that names it in passing does not', async () => {
  const agent = await load<AgentGuestLib>('scripts/lib/agent-guest.mjs');
  const vm = await load<VmTestsLib>('scripts/lib/vm-tests.mjs');
  // Built by concatenation: this file must not itself look like one that boots the guest.
  const call = (fn: string) => `const x = ${fn}${'('}'name');`;
  const rows: [string, boolean, boolean][] = [
    [call('agentGuestRequest'), true, true],
    [call('agentGuest'), true, true],
    [`await ${'attachAgentGuestDisk'}${'('}folder);`, true, false],
    [call('startAgentGuest'), true, true],
    [call('kernelGuestRequest'), false, true],
    ['// see the agentGuest support module', false, false],
  ];
  for (const [source, agentNeeds, bootsAny] of rows) {
    assert.equal(agent.bootsAgentGuest(source), agentNeeds, source);
    assert.equal(vm.bootsAGuest(source), bootsAny, source);
  }
});
