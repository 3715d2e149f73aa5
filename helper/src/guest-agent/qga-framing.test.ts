import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QgaFramer, encodeCommand, encodeSync, type QgaFrame } from './qga-framing';

const FF = Buffer.from([0xff]);
const b = (s: string) => Buffer.from(s);

const cases: Array<{ name: string; chunks: Buffer[]; want: QgaFrame[]; cap?: number }> = [
  { name: 'one answer line', chunks: [b('{"return": {}}\n')], want: [{ type: 'line', line: '{"return": {}}' }] },
  { name: 'an answer split across chunks', chunks: [b('{"ret'), b('urn": 1}\r\n')], want: [{ type: 'line', line: '{"return": 1}' }] },
  {
    name: 'a sentinel drops the half line before it',
    chunks: [b('{"return": {"host-na'), Buffer.concat([FF, b('{"return": 7}\n')])],
    want: [{ type: 'sentinel' }, { type: 'line', line: '{"return": 7}' }],
  },
  {
    name: 'a sentinel in the middle of a chunk, lines on both sides',
    chunks: [Buffer.concat([b('{"return": 1}\n'), FF, b('{"return": 2}\n')])],
    want: [{ type: 'line', line: '{"return": 1}' }, { type: 'sentinel' }, { type: 'line', line: '{"return": 2}' }],
  },
  { name: 'blank lines are not answers', chunks: [b('\n\r\n{"return": 3}\n')], want: [{ type: 'line', line: '{"return": 3}' }] },
  { name: 'two sentinels in a row', chunks: [Buffer.concat([FF, FF, b('x\n')])], want: [{ type: 'sentinel' }, { type: 'sentinel' }, { type: 'line', line: 'x' }] },
  { name: 'a line over the cap is reported once, the next one comes through', chunks: [b('0123456789abcdefghij\nok\n')], want: [{ type: 'overflow', limit: 16 }, { type: 'line', line: 'ok' }], cap: 16 },
];

for (const c of cases) {
  test(`framing: ${c.name}`, () => {
    const framer = new QgaFramer(c.cap ?? 16 * 1024);
    assert.deepEqual(c.chunks.flatMap((chunk) => framer.push(chunk)), c.want);
  });
}

test('a sync request starts with the sentinel and carries its id', () => {
  const bytes = encodeSync(4242);
  assert.equal(bytes[0], 0xff);
  assert.deepEqual(JSON.parse(bytes.subarray(1).toString()), { execute: 'guest-sync-delimited', arguments: { id: 4242 } });
  assert.equal(bytes.at(-1), 0x0a);
});

test('a command is one JSON line, with arguments only when given', () => {
  assert.deepEqual(JSON.parse(encodeCommand('guest-ping', undefined, 3).toString()), { execute: 'guest-ping', id: 3 });
  assert.deepEqual(JSON.parse(encodeCommand('guest-exec', { path: 'a"b\nc' }, 4).toString()), { execute: 'guest-exec', arguments: { path: 'a"b\nc' }, id: 4 });
  assert.equal(encodeCommand('guest-exec', { path: 'a\nb' }, 4).toString().split('\n').length, 2);
});
