import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSocketInode, procTcpEndpoint, socketInodeOfLink } from './proc-net-tcp';

// Lines as Linux 6.1 prints them: the listener, the helper's side of a connection, and QEMU's.
const SAMPLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:B8D8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41001 1 0000000024b7efac 100 0 0 10 0
   1: 0100007F:B8D8 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 41002 1 00000000967a8f9d 20 4 30 10 -1
   2: 0100007F:D431 0100007F:B8D8 01 00000000:00000000 00:00000000 00000000     0        0 41003 1 000000003a0b1c2d 20 4 30 10 -1
   3: 0100007F:D432 0100007F:B8D8 06 00000000:00000000 03:00000F3A 00000000     0        0 0 3 0000000000000000
`;

test('endpoints are written as /proc/net/tcp writes them', () => {
  assert.equal(procTcpEndpoint('127.0.0.1', 47320), '0100007F:B8D8');
  assert.equal(procTcpEndpoint('10.0.2.2', 80), '0202000A:0050');
  assert.throws(() => procTcpEndpoint('::1', 1), /not an IPv4/);
});

test("the peer's socket inode is found by its local port and the helper's port", () => {
  const helper = procTcpEndpoint('127.0.0.1', 47320);
  assert.equal(findSocketInode(SAMPLE, procTcpEndpoint('127.0.0.1', 0xd431), helper), 41003);
  // The helper's own side has the endpoints the other way round.
  assert.equal(findSocketInode(SAMPLE, helper, procTcpEndpoint('127.0.0.1', 0xd431)), 41002);
  // A TIME_WAIT entry has inode 0: no process owns it.
  assert.equal(findSocketInode(SAMPLE, procTcpEndpoint('127.0.0.1', 0xd432), helper), null);
  assert.equal(findSocketInode(SAMPLE, procTcpEndpoint('127.0.0.1', 1), helper), null);
  assert.equal(findSocketInode('', procTcpEndpoint('127.0.0.1', 1), helper), null);
});

test('socket links in /proc/<pid>/fd give their inode; other links none', () => {
  assert.equal(socketInodeOfLink('socket:[41003]'), 41003);
  assert.equal(socketInodeOfLink('pipe:[41003]'), null);
  assert.equal(socketInodeOfLink('/dev/null'), null);
  assert.equal(socketInodeOfLink('socket:[41003] (deleted)'), null);
});
