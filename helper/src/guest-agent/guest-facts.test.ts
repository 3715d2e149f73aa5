import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execResult, guestIps, guestOs, isLocalOnly, type QgaInterfaces } from './guest-facts';

test('isLocalOnly: loopback and link-local, v4 and v6', () => {
  const table: Array<[string, 'ipv4' | 'ipv6', boolean]> = [
    ['127.0.0.1', 'ipv4', true],
    ['127.8.9.1', 'ipv4', true],
    ['169.254.10.2', 'ipv4', true],
    ['10.0.2.15', 'ipv4', false],
    ['192.168.1.7', 'ipv4', false],
    ['::1', 'ipv6', true],
    ['fe80::5054:ff:fe12:3456', 'ipv6', true],
    ['FEBF::1', 'ipv6', true],
    ['fec0::2', 'ipv6', false],
    ['fd00::2', 'ipv6', false],
    ['2001:db8::1', 'ipv6', false],
  ];
  for (const [address, family, want] of table) assert.equal(isLocalOnly({ address, family }), want, address);
});

const IFACES: QgaInterfaces = [
  { name: 'lo', 'ip-addresses': [{ 'ip-address-type': 'ipv4', 'ip-address': '127.0.0.1', prefix: 8 }, { 'ip-address-type': 'ipv6', 'ip-address': '::1', prefix: 128 }] },
  {
    name: 'enp0s2',
    'ip-addresses': [
      { 'ip-address-type': 'ipv6', 'ip-address': 'fec0::5054:ff:fe12:3456', prefix: 64 },
      { 'ip-address-type': 'ipv6', 'ip-address': 'fe80::5054:ff:fe12:3456', prefix: 64 },
      { 'ip-address-type': 'ipv4', 'ip-address': '10.0.2.15', prefix: 24 },
    ],
  },
  { name: 'dummy0' },
];

test('guestIps: IPv4 first, loopback and link-local left out unless all', () => {
  assert.deepEqual(guestIps(IFACES, { all: false }), [
    { interface: 'enp0s2', address: '10.0.2.15', family: 'ipv4', prefix: 24 },
    { interface: 'enp0s2', address: 'fec0::5054:ff:fe12:3456', family: 'ipv6', prefix: 64 },
  ]);
  assert.deepEqual(
    guestIps(IFACES, { all: true }).map((ip) => ip.address),
    ['127.0.0.1', '10.0.2.15', '::1', 'fec0::5054:ff:fe12:3456', 'fe80::5054:ff:fe12:3456'],
  );
  assert.deepEqual(guestIps([], { all: false }), []);
});

test('guestOs: the name and version people read, blanks as null', () => {
  const table: Array<[Parameters<typeof guestOs>[0], ReturnType<typeof guestOs>]> = [
    [
      { name: 'Debian GNU/Linux', version: '12 (bookworm)', 'pretty-name': 'Debian GNU/Linux 12 (bookworm)', 'kernel-release': '6.1.0-18-amd64', id: 'debian', 'version-id': '12' },
      { name: 'Debian GNU/Linux', version: '12 (bookworm)', prettyName: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-18-amd64' },
    ],
    [{ id: 'alpine', 'version-id': '3.19' }, { name: 'alpine', version: '3.19', prettyName: null, kernel: null }],
    [{ name: '  ', version: '' }, { name: null, version: null, prettyName: null, kernel: null }],
    [{}, { name: null, version: null, prettyName: null, kernel: null }],
  ];
  for (const [input, want] of table) assert.deepEqual(guestOs(input), want);
});

test('execResult: exit code, signal, output and truncation', () => {
  const table: Array<[Parameters<typeof execResult>[0], ReturnType<typeof execResult>]> = [
    [{ exited: true, exitcode: 0, 'out-data': 'aGkK' }, { exitCode: 0, signal: null, stdout: 'aGkK', stderr: '', truncated: false }],
    [{ exited: true, exitcode: 3, 'err-data': 'bm8K' }, { exitCode: 3, signal: null, stdout: '', stderr: 'bm8K', truncated: false }],
    [{ exited: true, signal: 9 }, { exitCode: null, signal: 9, stdout: '', stderr: '', truncated: false }],
    [{ exited: true, exitcode: 0, 'out-truncated': true }, { exitCode: 0, signal: null, stdout: '', stderr: '', truncated: true }],
  ];
  for (const [input, want] of table) assert.deepEqual(execResult(input), want);
});
