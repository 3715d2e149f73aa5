import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SPICE_DISPLAY_CHANNEL, SPICE_MAIN_CHANNEL, SpiceClientStream, displayInitMessage } from './spice-client-stream';
import { CAP, SPICE_CAPS, clientAuth, clientLink } from './testing/spice-bytes';

function message(type: number, body: Buffer, mini: boolean): Buffer {
  const h = Buffer.alloc(mini ? 6 : 18);
  const at = mini ? 0 : 8;
  h.writeUInt16LE(type, at);
  h.writeUInt32LE(body.length, at + 2);
  return Buffer.concat([h, body]);
}

const ACK_SYNC = message(1, Buffer.alloc(4), true);
const INIT_MINI = displayInitMessage(true);

// Feeds `bytes` split into frames of `chunk` bytes; what the stream then knows.
function feed(bytes: Buffer, chunk: number): { type: number | null | undefined; init: Buffer | null; watching: boolean } {
  const s = new SpiceClientStream();
  let watching = true;
  for (let i = 0; i < bytes.length && watching; i += chunk) watching = s.observe(bytes.subarray(i, i + chunk));
  return { type: s.type, init: s.pendingDisplayInit(), watching };
}

const cases: Array<{ name: string; bytes: Buffer; type: number | null | undefined; init: 'mini' | 'full' | null }> = [
  { name: 'main channel: type known, nothing to send', bytes: Buffer.concat([clientLink(SPICE_MAIN_CHANNEL, SPICE_CAPS), clientAuth(true)]), type: SPICE_MAIN_CHANNEL, init: null },
  { name: 'display, logged in, no message yet', bytes: Buffer.concat([clientLink(SPICE_DISPLAY_CHANNEL, SPICE_CAPS), clientAuth(true)]), type: SPICE_DISPLAY_CHANNEL, init: 'mini' },
  { name: 'display without auth selection or mini header', bytes: Buffer.concat([clientLink(SPICE_DISPLAY_CHANNEL, CAP.authSpice), clientAuth(false)]), type: SPICE_DISPLAY_CHANNEL, init: 'full' },
  { name: 'display that sent DISPLAY_INIT', bytes: Buffer.concat([clientLink(SPICE_DISPLAY_CHANNEL, SPICE_CAPS), clientAuth(true), INIT_MINI]), type: SPICE_DISPLAY_CHANNEL, init: null },
  { name: 'display that sent another message, then DISPLAY_INIT', bytes: Buffer.concat([clientLink(SPICE_DISPLAY_CHANNEL, SPICE_CAPS), clientAuth(true), ACK_SYNC, INIT_MINI]), type: SPICE_DISPLAY_CHANNEL, init: null },
  { name: 'display between two other messages', bytes: Buffer.concat([clientLink(SPICE_DISPLAY_CHANNEL, SPICE_CAPS), clientAuth(true), ACK_SYNC, ACK_SYNC]), type: SPICE_DISPLAY_CHANNEL, init: 'mini' },
  { name: 'display in the middle of a message', bytes: Buffer.concat([clientLink(SPICE_DISPLAY_CHANNEL, SPICE_CAPS), clientAuth(true), ACK_SYNC.subarray(0, 8)]), type: SPICE_DISPLAY_CHANNEL, init: null },
  { name: 'display still sending its ticket', bytes: Buffer.concat([clientLink(SPICE_DISPLAY_CHANNEL, SPICE_CAPS), clientAuth(true).subarray(0, 60)]), type: SPICE_DISPLAY_CHANNEL, init: null },
  { name: 'display logging in with SASL', bytes: Buffer.concat([clientLink(SPICE_DISPLAY_CHANNEL, SPICE_CAPS), clientAuth(true, 2)]), type: SPICE_DISPLAY_CHANNEL, init: null },
  { name: 'not SPICE (an RFB greeting)', bytes: Buffer.from('RFB 003.008\n'), type: null, init: null },
  { name: 'a link claiming to be huge', bytes: Buffer.concat([clientLink(SPICE_DISPLAY_CHANNEL, SPICE_CAPS).subarray(0, 12), Buffer.from([0, 0, 1, 0])]), type: null, init: null },
  { name: 'half a link header', bytes: clientLink(SPICE_DISPLAY_CHANNEL, SPICE_CAPS).subarray(0, 10), type: undefined, init: null },
];

for (const c of cases) {
  test(`SPICE client stream: ${c.name}, however the frames split`, () => {
    for (const chunk of [1, 3, 7, 16, 4096]) {
      const got = feed(c.bytes, chunk);
      assert.equal(got.type, c.type, `type with ${chunk}-byte frames`);
      const expected = c.init === null ? null : displayInitMessage(c.init === 'mini', 1n);
      assert.deepEqual(got.init, expected, `DISPLAY_INIT with ${chunk}-byte frames`);
    }
  });
}

test('SPICE client stream: stops watching main once its ticket went out, display once DISPLAY_INIT went out', () => {
  assert.equal(feed(clientLink(SPICE_MAIN_CHANNEL, SPICE_CAPS), 4096).watching, true, 'main is watched until its ticket is out');
  assert.equal(feed(Buffer.concat([clientLink(SPICE_MAIN_CHANNEL, SPICE_CAPS), clientAuth(true)]), 4096).watching, false);
  assert.equal(feed(Buffer.concat([clientLink(SPICE_DISPLAY_CHANNEL, SPICE_CAPS), clientAuth(true)]), 4096).watching, true);
  assert.equal(feed(Buffer.concat([clientLink(SPICE_DISPLAY_CHANNEL, SPICE_CAPS), clientAuth(true), INIT_MINI]), 4096).watching, false);
});

test('SPICE client stream: the ticket counts as sent once all of it went out, on every channel type', () => {
  for (const type of [SPICE_MAIN_CHANNEL, SPICE_DISPLAY_CHANNEL, 3]) {
    const whole = Buffer.concat([clientLink(type, SPICE_CAPS), clientAuth(true)]);
    for (const cut of [1, whole.length - 1]) {
      const s = new SpiceClientStream();
      s.observe(whole.subarray(0, cut));
      assert.equal(s.ticketSent, false, `type ${type}: not with ${cut} of ${whole.length} bytes`);
      s.observe(whole.subarray(cut));
      assert.equal(s.ticketSent, true, `type ${type}: once the last byte went out`);
      assert.equal(s.type, type);
    }
  }
});

test('SPICE client stream: a missing DISPLAY_INIT is handed out once', () => {
  const s = new SpiceClientStream();
  s.observe(Buffer.concat([clientLink(SPICE_DISPLAY_CHANNEL, SPICE_CAPS), clientAuth(true)]));
  assert.ok(s.pendingDisplayInit());
  assert.equal(s.pendingDisplayInit(), null);
});

test('DISPLAY_INIT layout: header then pixmap cache id, size, GLZ id, window', () => {
  const mini = displayInitMessage(true);
  assert.equal(mini.length, 6 + 14);
  assert.equal(mini.readUInt16LE(0), 101);
  assert.equal(mini.readUInt32LE(2), 14);
  assert.equal(mini.readBigUInt64LE(7), 10n * 1024n * 1024n);
  const full = displayInitMessage(false, 3n);
  assert.equal(full.length, 18 + 14);
  assert.equal(full.readBigUInt64LE(0), 3n);
  assert.equal(full.readUInt16LE(8), 101);
  assert.equal(full.readUInt32LE(14), 0, 'no sub-messages');
});
