import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpiceServerHandshake, type ServerHandshakeState } from './spice-server-handshake';
import { SET_ACK, linkResult, serverReply } from './testing/spice-bytes';

const CASES: Array<[string, Buffer, ServerHandshakeState]> = [
  ['set up', Buffer.concat([serverReply(0), linkResult(0), SET_ACK]), 'connected'],
  ['logged in, nothing more yet', Buffer.concat([serverReply(0), linkResult(0)]), 'logged-in'],
  ['waiting for the ticket', serverReply(0), 'authenticating'],
  ['ticket refused', Buffer.concat([serverReply(0), linkResult(7)]), 'refused'],
  ['link refused', serverReply(3), 'refused'],
  ['not SPICE (a VNC greeting)', Buffer.from('RFB 003.008\n'), 'not-spice'],
  ['a link reply too large to be one', Buffer.concat([Buffer.from('REDQ'), Buffer.alloc(8), Buffer.from([0, 0, 1, 0])]), 'not-spice'],
];

// Every split of the bytes into two chunks, and byte by byte: the state never depends on it.
for (const [name, bytes, expected] of CASES) {
  test(`SPICE server handshake: ${name} → ${expected}, however the bytes are split`, () => {
    const splits = [...Array.from({ length: bytes.length + 1 }, (_, cut) => [bytes.subarray(0, cut), bytes.subarray(cut)]), Array.from(bytes, (b) => Buffer.from([b]))];
    for (const chunks of splits) {
      const h = new SpiceServerHandshake();
      let watching = true;
      for (const chunk of chunks) if (watching) watching = h.observe(Buffer.from(chunk));
      assert.equal(h.state, expected, `chunks of ${chunks.map((c) => c.length).join('+')}`);
      assert.equal(watching, !h.isSettled);
    }
  });
}

test('SPICE server handshake: settles once, keeps copies of what it holds (the reader reuses its buffers)', async () => {
  const h = new SpiceServerHandshake();
  const bytes = Buffer.concat([serverReply(0), linkResult(0), SET_ACK]);
  const first = Buffer.from(bytes.subarray(0, 10));
  h.observe(first);
  first.fill(0); // the pooled read buffer, reused for the next read
  const loggedIn = bytes.length - SET_ACK.length;
  h.observe(bytes.subarray(10, loggedIn));
  assert.equal(h.state, 'logged-in', 'the reply was read from the copy, not the reused buffer');
  let settled = false;
  void h.settled.then(() => (settled = true));
  h.observe(bytes.subarray(loggedIn, loggedIn + 1));
  await h.settled;
  assert.equal(settled, true);
  assert.equal(h.state, 'connected');
  assert.equal(h.observe(Buffer.from([1, 2, 3])), false, 'nothing more is watched');
  assert.equal(h.state, 'connected');
});
