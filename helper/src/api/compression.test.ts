import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { CompressedBodies, chooseEncoding, compress, isCompressible, type Encoding } from './compression';

describe('chooseEncoding', () => {
  const table: Array<[string | undefined, Encoding | null]> = [
    [undefined, null],
    ['', null],
    ['identity', null],
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip, deflate', 'gzip'],
    ['br', 'br'],
    ['BR;Q=1', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['gzip;q=0.5, br;q=0.5', 'br'],
    ['br;q=0, gzip;q=0', null],
    ['*', 'br'],
    ['*;q=0', null],
    ['gzip, *;q=0', 'gzip'],
    ['br;q=abc, gzip', 'gzip'],
    [' , ,gzip ; q=0.3', 'gzip'],
  ];
  for (const [header, want] of table) {
    test(`${JSON.stringify(header)} → ${want}`, () => assert.equal(chooseEncoding(header), want));
  }
});

describe('isCompressible', () => {
  const table: Array<[string, number, boolean]> = [
    ['text/javascript; charset=utf-8', 200_000, true],
    ['text/html; charset=utf-8', 13_000, true],
    ['text/css; charset=utf-8', 54_000, true],
    ['application/json; charset=utf-8', 5_000, true],
    ['application/manifest+json; charset=utf-8', 1_024, true],
    ['image/svg+xml', 4_000, true],
    ['application/wasm', 90_000, true],
    ['text/plain; charset=utf-8', 1_023, false],
    ['image/png', 90_000, false],
    ['font/woff2', 90_000, false],
    ['application/octet-stream', 90_000, false],
    ['text/javascript; charset=utf-8', 17 * 1024 * 1024, false],
  ];
  for (const [type, size, want] of table) {
    test(`${type}, ${size} bytes → ${want}`, () => assert.equal(isCompressible(type, size), want));
  }
});

describe('compress', () => {
  const text = Buffer.from('const answer = 42; '.repeat(500));
  test('brotli and gzip round-trip and shrink repetitive text', async () => {
    const br = await compress(text, 'br');
    const gz = await compress(text, 'gzip');
    assert.deepEqual(brotliDecompressSync(br), text);
    assert.deepEqual(gunzipSync(gz), text);
    assert.ok(br.byteLength < text.byteLength / 10 && gz.byteLength < text.byteLength / 10);
  });
});

describe('CompressedBodies', () => {
  const a = Buffer.from('a'.repeat(5000));
  const b = Buffer.from('b'.repeat(5000));

  test('compresses a file version once, also for requests that arrive together', async () => {
    const bodies = new CompressedBodies();
    const key = CompressedBodies.key('x.js', 'W/"1"', 'br');
    assert.equal(bodies.cached(key), undefined);
    const [one, two] = await Promise.all([bodies.get(key, a, 'br'), bodies.get(key, a, 'br')]);
    assert.equal(one, two, 'the same buffer: one compression');
    assert.equal(bodies.cached(key), one);
    assert.deepEqual(brotliDecompressSync(one), a);
  });

  test('a new ETag or another encoding is another entry', async () => {
    const bodies = new CompressedBodies();
    const old = await bodies.get(CompressedBodies.key('x.js', 'W/"1"', 'br'), a, 'br');
    const rebuilt = await bodies.get(CompressedBodies.key('x.js', 'W/"2"', 'br'), b, 'br');
    const gz = await bodies.get(CompressedBodies.key('x.js', 'W/"2"', 'gzip'), b, 'gzip');
    assert.deepEqual(brotliDecompressSync(old), a);
    assert.deepEqual(brotliDecompressSync(rebuilt), b);
    assert.deepEqual(gunzipSync(gz), b);
  });

  test('holds at most its budget, dropping the least recently used', async () => {
    const k = (n: string) => CompressedBodies.key(n, 'W/"1"', 'gzip');
    const probe = await compress(a, 'gzip');
    // Room for two bodies, not three.
    const bodies = new CompressedBodies(probe.byteLength * 2 + 1);
    await bodies.get(k('one'), a, 'gzip');
    await bodies.get(k('two'), a, 'gzip');
    assert.ok(bodies.cached(k('one')), 'touching one makes two the oldest');
    await bodies.get(k('three'), a, 'gzip');
    assert.ok(bodies.cached(k('one')));
    assert.ok(bodies.cached(k('three')));
    assert.equal(bodies.cached(k('two')), undefined);
  });
});
