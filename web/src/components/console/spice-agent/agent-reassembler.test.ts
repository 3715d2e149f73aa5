import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentProtocolError, encodeAgentMessage } from './agent-protocol';
import { AgentReassembler } from './agent-reassembler';

function stream(): { bytes: Uint8Array; messages: Array<{ type: number; body: number[] }> } {
  const messages = [
    { type: 6, body: [1, 0, 0, 0, 0x22, 0, 0, 0] },
    { type: 4, body: [] },
    { type: 7, body: Array.from({ length: 5000 }, (_, i) => i % 256) },
    { type: 11, body: [9, 0, 0, 0, 3, 0, 0, 0] },
  ];
  const bytes = Buffer.concat(messages.map((m) => encodeAgentMessage(m.type, Uint8Array.from(m.body))));
  return { bytes: new Uint8Array(bytes), messages };
}

test('the same messages come out however the stream is cut', () => {
  const { bytes, messages } = stream();
  // Piece sizes: one byte at a time, inside a header, the server's 2048, all at once, uneven.
  for (const cuts of [[1], [7], [19, 21], [2048], [bytes.length], [3, 1000, 17, 4096]]) {
    const r = new AgentReassembler();
    const out: Array<{ type: number; body: number[] }> = [];
    let at = 0;
    for (let i = 0; at < bytes.length; i++) {
      const size = cuts[i % cuts.length]!;
      for (const m of r.push(bytes.subarray(at, at + size))) out.push({ type: m.type, body: [...m.body] });
      at += size;
    }
    assert.deepEqual(out, messages, `cut by ${cuts.join(',')}`);
  }
});

test('a wrong protocol or an oversized message is refused, and reset drops a half-read one', () => {
  const bad = encodeAgentMessage(4, new Uint8Array(1));
  bad[0] = 2;
  assert.throws(() => new AgentReassembler().push(bad), AgentProtocolError);
  assert.throws(() => new AgentReassembler(10).push(encodeAgentMessage(4, new Uint8Array(11))), /11 bytes/);

  const r = new AgentReassembler();
  const whole = encodeAgentMessage(7, Uint8Array.from([1, 2, 3]));
  assert.deepEqual(r.push(whole.subarray(0, 22)), []);
  r.reset();
  const again = r.push(encodeAgentMessage(8, Uint8Array.from([4])));
  assert.deepEqual(again.map((m) => [m.type, [...m.body]]), [[8, [4]]]);
});
