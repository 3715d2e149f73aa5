import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import * as wsLib from 'ws';
import { MAX_FRAME_HEADER, frameHeaderLength, frameInPlace } from './ws-binary-frame';

// A chunk as the pooled reader hands it on: payload bytes with spare room in front of them.
function chunkWithRoom(payload: Buffer, room = MAX_FRAME_HEADER): Buffer {
  const whole = Buffer.allocUnsafeSlow(room + payload.length);
  payload.copy(whole, room);
  return whole.subarray(room);
}

// ws's frame parser, which its typings leave out.
interface FrameParser extends EventEmitter {
  write(chunk: Buffer): boolean;
}
const Receiver = (wsLib as unknown as { Receiver: new (opts: { isServer: boolean; maxPayload: number }) => FrameParser }).Receiver;

// What a browser would make of the frame: ws's own client-side parser, the same one the tests'
// WebSocket clients use.
function parse(frame: Buffer): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false, maxPayload: 0 });
    receiver.on('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary }));
    receiver.on('error', reject);
    receiver.write(frame);
  });
}

test('frames of every length class parse back to the same bytes, binary, in one buffer', async () => {
  for (const length of [0, 1, 125, 126, 127, 65_535, 65_536, 300_001]) {
    const payload = randomBytes(length);
    const frame = frameInPlace(chunkWithRoom(payload), MAX_FRAME_HEADER);
    assert.ok(frame, `a frame for ${length} bytes`);
    assert.equal(frame.length, frameHeaderLength(length) + length);
    const got = await parse(frame);
    assert.equal(got.isBinary, true);
    assert.ok(got.data.equals(payload), `payload of ${length} bytes intact`);
  }
});

test('the header goes only into the room in front: the payload view is untouched', () => {
  const payload = Buffer.from('spice');
  const chunk = chunkWithRoom(payload);
  const frame = frameInPlace(chunk, MAX_FRAME_HEADER)!;
  assert.deepEqual([...frame.subarray(0, 2)], [0x82, 5]);
  assert.equal(chunk.toString(), 'spice');
  assert.equal(frame.buffer, chunk.buffer, 'no copy was made');
});

test('without room in front (or with less headroom than the header needs) there is no frame', () => {
  const bare = Buffer.allocUnsafeSlow(200);
  assert.equal(frameInPlace(bare, MAX_FRAME_HEADER), null);
  assert.equal(frameInPlace(chunkWithRoom(Buffer.alloc(200), 2), 2), null, '200 bytes need a 4-byte header');
  assert.equal(frameInPlace(chunkWithRoom(Buffer.alloc(100)), 0), null, 'a reader without headroom');
});
