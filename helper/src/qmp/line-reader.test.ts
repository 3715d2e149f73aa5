import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineReader, type LineReaderOutput } from './line-reader';

function feed(reader: LineReader, chunks: (string | Buffer)[]): LineReaderOutput[][] {
  return chunks.map((c) => reader.push(typeof c === 'string' ? Buffer.from(c) : c));
}

test('a line split across chunks comes out once, when its newline arrives', () => {
  const out = feed(new LineReader(1024), ['{"ret', 'urn": ', '{}}\r', '\n']);
  assert.deepEqual(out, [[], [], [], [{ type: 'line', line: '{"return": {}}' }]]);
});

test('several lines in one chunk come out in order, CRLF and LF both accepted', () => {
  const [out] = feed(new LineReader(1024), ['a\r\nb\nc\r\npartial']);
  assert.deepEqual(out, [
    { type: 'line', line: 'a' },
    { type: 'line', line: 'b' },
    { type: 'line', line: 'c' },
  ]);
});

test('a UTF-8 character split between chunks survives', () => {
  const bytes = Buffer.from('"é"\n');
  const out = feed(new LineReader(1024), [bytes.subarray(0, 2), bytes.subarray(2)]);
  assert.deepEqual(out[1], [{ type: 'line', line: '"é"' }]);
});

test('a line over the cap is reported once, skipped to its newline, and the next line is intact', () => {
  const reader = new LineReader(8);
  const out = feed(reader, ['0123', '456789', 'abcdef', 'gh\nok\n']);
  assert.deepEqual(out, [[], [{ type: 'overflow', limit: 8 }], [], [{ type: 'line', line: 'ok' }]]);
});

test('a line exactly at the cap is kept', () => {
  const [out] = feed(new LineReader(4), ['abcd\n']);
  assert.deepEqual(out, [{ type: 'line', line: 'abcd' }]);
});
