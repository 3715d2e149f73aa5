import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QgaFrame } from './qga-framing';
import { acceptFrame, parseReply, type Awaiting, type Settled } from './qga-replies';

const line = (l: string): QgaFrame => ({ type: 'line', line: l });
const SENTINEL: QgaFrame = { type: 'sentinel' };

test('parseReply: returns, errors, and what is neither', () => {
  const table: Array<[string, ReturnType<typeof parseReply>]> = [
    ['{"return": {"host-name": "deb"}}', { kind: 'return', value: { 'host-name': 'deb' }, id: undefined }],
    ['{"return": 5, "id": 2}', { kind: 'return', value: 5, id: 2 }],
    ['{"error": {"class": "GenericError", "desc": "No such file"}, "id": 9}', { kind: 'error', errorClass: 'GenericError', desc: 'No such file', id: 9 }],
    ['{"error": {}}', { kind: 'error', errorClass: 'GenericError', desc: 'no description', id: undefined }],
    ['{"return"', null],
    ['[1,2]', null],
    ['"text"', null],
    ['{"event": "X"}', null],
  ];
  for (const [input, want] of table) assert.deepEqual(parseReply(input), want, input);
});

// Feeds frames one by one; returns every settlement in order and the final state.
function run(awaiting: Awaiting, frames: QgaFrame[]): { settled: Settled[]; awaiting: Awaiting } {
  const settled: Settled[] = [];
  let state = awaiting;
  for (const f of frames) {
    const step = acceptFrame(state, f);
    state = step.awaiting;
    if (step.settled) settled.push(step.settled);
  }
  return { settled, awaiting: state };
}

const SYNC: Awaiting = { kind: 'sync', id: 77, armed: false };

const table: Array<{ name: string; awaiting: Awaiting; frames: QgaFrame[]; settled: Settled[] }> = [
  { name: 'sync: the echo of our id after the sentinel', awaiting: SYNC, frames: [SENTINEL, line('{"return": 77}')], settled: [{ kind: 'synced' }] },
  { name: 'sync: our id without the sentinel does not count', awaiting: SYNC, frames: [line('{"return": 77}')], settled: [] },
  {
    name: 'sync: stale syncs and answers before ours are skipped',
    awaiting: SYNC,
    frames: [line('{"return": {}}'), SENTINEL, line('{"return": 12}'), line('{"error": {"class": "GenericError", "desc": "Invalid JSON"}}'), SENTINEL, line('{"return": 77}')],
    settled: [{ kind: 'synced' }],
  },
  { name: 'sync: a sentinel then garbage disarms', awaiting: SYNC, frames: [SENTINEL, line('garbage'), line('{"return": 77}')], settled: [] },
  { name: 'reply: an answer without an id is taken', awaiting: { kind: 'reply', id: 3 }, frames: [line('{"return": {"pid": 9}}')], settled: [{ kind: 'reply', reply: { kind: 'return', value: { pid: 9 }, id: undefined } }] },
  {
    name: 'reply: an answer to another id is stale',
    awaiting: { kind: 'reply', id: 3 },
    frames: [line('{"return": 1, "id": 2}'), line('{"return": 2, "id": 3}')],
    settled: [{ kind: 'reply', reply: { kind: 'return', value: 2, id: 3 } }],
  },
  {
    name: 'reply: an error is an answer',
    awaiting: { kind: 'reply', id: 3 },
    frames: [line('{"error": {"class": "GenericError", "desc": "denied"}, "id": 3}')],
    settled: [{ kind: 'reply', reply: { kind: 'error', errorClass: 'GenericError', desc: 'denied', id: 3 } }],
  },
  {
    name: 'reply: an answer too long for memory fails the request',
    awaiting: { kind: 'reply', id: 3 },
    frames: [{ type: 'overflow', limit: 10 }],
    settled: [{ kind: 'reply', reply: { kind: 'error', errorClass: 'TooLong', desc: "the agent's answer is longer than 10 bytes", id: 3 } }],
  },
  { name: 'idle: whatever comes is ignored', awaiting: { kind: 'idle' }, frames: [SENTINEL, line('{"return": 77}')], settled: [] },
  { name: 'reply: only the first answer settles; what follows is ignored', awaiting: { kind: 'reply', id: 1 }, frames: [line('{"return": 1}'), line('{"return": 2}')], settled: [{ kind: 'reply', reply: { kind: 'return', value: 1, id: undefined } }] },
];

for (const c of table) {
  test(`acceptFrame: ${c.name}`, () => {
    assert.deepEqual(run(c.awaiting, c.frames).settled, c.settled);
  });
}
