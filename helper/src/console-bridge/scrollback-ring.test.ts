import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ScrollbackRing } from './scrollback-ring';

test('holds everything until full, in order', () => {
  const ring = new ScrollbackRing(16);
  ring.append(Buffer.from('hello '));
  ring.append(Buffer.from('world'));
  assert.equal(ring.snapshot().toString(), 'hello world');
  assert.equal(ring.size, 11);
});

test('keeps only the last capacity bytes, across wrap-arounds and odd chunk sizes', () => {
  const capacity = 1000;
  const ring = new ScrollbackRing(capacity);
  const all: Buffer[] = [];
  for (const size of [1, 999, 7, 1000, 1500, 3, 640, 0, 2, 999]) {
    const chunk = randomBytes(size);
    all.push(chunk);
    ring.append(chunk);
    const joined = Buffer.concat(all);
    assert.deepEqual(ring.snapshot(), joined.subarray(Math.max(0, joined.length - capacity)), `after a chunk of ${size}`);
  }
});

test('a snapshot is a copy', () => {
  const ring = new ScrollbackRing(4);
  ring.append(Buffer.from('abcd'));
  const snap = ring.snapshot();
  ring.append(Buffer.from('ef'));
  assert.equal(snap.toString(), 'abcd');
  assert.equal(ring.snapshot().toString(), 'cdef');
});

test('refuses a capacity that is not a positive integer', () => {
  assert.throws(() => new ScrollbackRing(0), RangeError);
  assert.throws(() => new ScrollbackRing(1.5), RangeError);
});

test('grows from a small buffer to its capacity without losing or reordering bytes', () => {
  const capacity = 64 * 1024;
  const ring = new ScrollbackRing(capacity);
  const all: Buffer[] = [];
  for (const size of [100, 4000, 3000, 9000, 1, 20_000, 30_000, 50_000, 7, 70_000, 12_345]) {
    const chunk = randomBytes(size);
    all.push(chunk);
    ring.append(chunk);
    const joined = Buffer.concat(all);
    assert.deepEqual(ring.snapshot(), joined.subarray(Math.max(0, joined.length - capacity)), `after a chunk of ${size}`);
  }
  assert.equal(ring.size, capacity);
});
