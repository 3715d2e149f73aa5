import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GuestAgentInfo } from '@openutm/shared';
import { ABSENT_TEXT, OFF_TEXT, guestAgentView } from './guest-agent-view';

const base: GuestAgentInfo = { state: 'connected', hostname: 'deb', os: null, ips: [], lastSeen: null };
const v4 = { interface: 'ens3', address: '10.0.2.15', family: 'ipv4', prefix: 24 } as const;
const v6 = { interface: 'ens3', address: 'fec0::1', family: 'ipv6', prefix: 64 } as const;

test('guestAgentView: what the card and page say for each agent state', () => {
  const table: Array<[string, GuestAgentInfo | null | undefined, ReturnType<typeof guestAgentView>]> = [
    ['a helper without the field', undefined, { kind: 'none' }],
    ['a VM that does not run', null, { kind: 'none' }],
    ['no channel', { ...base, state: 'off' }, { kind: 'off', text: OFF_TEXT }],
    ['no agent', { ...base, state: 'absent' }, { kind: 'absent', text: ABSENT_TEXT }],
    ['connected, no address yet', base, { kind: 'connected', hostname: 'deb', os: null, ip: null, ips: [] }],
    [
      'connected: the first address is the one shown',
      { ...base, ips: [v4, v6], os: { name: 'Debian GNU/Linux', version: '12', prettyName: null, kernel: '6.1' } },
      { kind: 'connected', hostname: 'deb', os: 'Debian GNU/Linux 12', ip: '10.0.2.15', ips: [v4, v6] },
    ],
    [
      'the pretty name wins',
      { ...base, os: { name: 'Debian GNU/Linux', version: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', kernel: null } },
      { kind: 'connected', hostname: 'deb', os: 'Debian GNU/Linux 12 (bookworm)', ip: null, ips: [] },
    ],
  ];
  for (const [name, input, want] of table) assert.deepEqual(guestAgentView(input), want, name);
});
