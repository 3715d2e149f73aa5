import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeOptionValue, flattenOptions, jsonOption, optionString } from './option-string';
import { parseQemuOpts, parseQemuOptsUnique } from './testing/parse-qemu-opts';

describe('escapeOptionValue', () => {
  it('doubles every comma and leaves everything else alone', () => {
    assert.equal(escapeOptionValue('a,b,,c'), 'a,,b,,,,c');
    assert.equal(escapeOptionValue(',x,'), ',,x,,');
    assert.equal(escapeOptionValue('k=v "q" ü -x ..'), 'k=v "q" ü -x ..');
  });

  it('refuses NUL, which no argv element can carry', () => {
    assert.throws(() => escapeOptionValue('a\u0000b'), (e: unknown) => (e as { code?: string }).code === 'CONFIG_INVALID');
  });
});

describe('optionString', () => {
  it('writes head, keys in order, on/off for booleans, and skips undefined', () => {
    assert.equal(optionString('socket', { id: 'x', server: true, wait: false, skipped: undefined, port: 5 }), 'socket,id=x,server=on,wait=off,port=5');
    assert.equal(optionString(null, { a: '' }), 'a=');
  });

  it('refuses keys and heads that are not plain names', () => {
    assert.throws(() => optionString('virtio,x=y', {}), (e: unknown) => (e as { code?: string }).code === 'INTERNAL');
    assert.throws(() => optionString(null, { 'a=b': 'c' }), (e: unknown) => (e as { code?: string }).code === 'INTERNAL');
  });

  it('round-trips arbitrary values through QEMU-style parsing', () => {
    // A small deterministic generator over the characters that matter to the parser.
    const alphabet = [',', '=', ' ', '"', "'", '\\', '/', '.', '-', 'a', 'ü', '🚀', '%', ':'];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 500; n++) {
      const len = next() % 12;
      const value = Array.from({ length: len }, () => alphabet[next() % alphabet.length]).join('');
      const text = optionString('socket', { id: 'c', path: value, server: true });
      assert.deepEqual(parseQemuOptsUnique(text, 'backend'), { backend: 'socket', id: 'c', path: value, server: 'on' }, `for ${JSON.stringify(value)}`);
    }
  });
});

describe('the test parser mirrors QemuOpts', () => {
  it('reads an unnamed first value holding "=" as a key, which is why the builder names keys', () => {
    assert.deepEqual(parseQemuOpts('a=b', 'guest'), [['a', 'b']]);
    assert.deepEqual(parseQemuOpts('plain,process=x', 'guest'), [
      ['guest', 'plain'],
      ['process', 'x'],
    ]);
  });

  it('reads bare later segments as flags', () => {
    assert.deepEqual(parseQemuOpts('socket,server,nowait', 'backend'), [
      ['backend', 'socket'],
      ['server', 'on'],
      ['wait', 'off'],
    ]);
  });

  it('reads ",," as a comma and a single "," as the end of a value', () => {
    assert.deepEqual(parseQemuOpts('path=a,,b,,,x=y'), [
      ['path', 'a,b,'],
      ['x', 'y'],
    ]);
  });
});

describe('jsonOption and flattenOptions', () => {
  it('keeps JSON types and needs no escaping', () => {
    const text = jsonOption({ driver: 'file', filename: 'a,b "c"\\d', 'read-only': true });
    assert.equal(text, '{"driver":"file","filename":"a,b \\"c\\"\\\\d","read-only":true}');
  });

  it('flattens flag-only and flag-value options in order', () => {
    assert.deepEqual(flattenOptions([['-S'], ['-m', 'size=1M'], ['-nodefaults']]), ['-S', '-m', 'size=1M', '-nodefaults']);
  });
});
