import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GuestAgentInfo } from '@openutm/shared';
import { formatGuestIps, guestAgentLines, osText } from './format-guest';

const CONNECTED: GuestAgentInfo = {
  state: 'connected',
  hostname: 'agent-guest',
  os: { name: 'Debian GNU/Linux', version: '12 (bookworm)', prettyName: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-18-amd64' },
  ips: [
    { interface: 'ens3', address: '10.0.2.15', family: 'ipv4', prefix: 24 },
    { interface: 'ens3', address: 'fec0::1', family: 'ipv6', prefix: 64 },
  ],
  lastSeen: '2025-01-01T00:00:00.000Z',
};

test('osText: pretty name first, else name and version, kernel after', () => {
  const table: Array<[GuestAgentInfo['os'], string | null]> = [
    [CONNECTED.os, 'Debian GNU/Linux 12 (bookworm) · kernel 6.1.0-18-amd64'],
    [{ name: 'Alpine', version: '3.19', prettyName: null, kernel: null }, 'Alpine 3.19'],
    [{ name: null, version: null, prettyName: null, kernel: '6.6.1' }, '6.6.1'],
    [{ name: null, version: null, prettyName: null, kernel: null }, null],
    [null, null],
  ];
  for (const [os, want] of table) assert.equal(osText(os), want);
});

test('guestAgentLines: one block per agent state, nothing when the VM does not run', () => {
  assert.deepEqual(guestAgentLines(CONNECTED), [
    '  hostname   agent-guest',
    '  guest os   Debian GNU/Linux 12 (bookworm) · kernel 6.1.0-18-amd64',
    '  ip         10.0.2.15, fec0::1',
  ]);
  assert.deepEqual(guestAgentLines({ ...CONNECTED, os: null, ips: [] }), ['  hostname   agent-guest', '  ip         (none yet)']);
  assert.match(guestAgentLines({ ...CONNECTED, state: 'absent' })[0]!, /not answering: install qemu-guest-agent/);
  assert.match(guestAgentLines({ ...CONNECTED, state: 'off' })[0]!, /off \(turn on "QEMU guest agent"/);
  assert.deepEqual(guestAgentLines(null), []);
  assert.deepEqual(guestAgentLines(undefined), []);
});

test('formatGuestIps: one address a line, in the given order', () => {
  assert.equal(formatGuestIps(CONNECTED.ips), '10.0.2.15\nfec0::1');
  assert.equal(formatGuestIps([]), '');
});
