import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IMMUTABLE, REVALIDATE, cacheControlFor, contentSecurityPolicy, contentTypeFor, etagFor, isNotModified } from './static-headers';
import { closeReason } from './close-codes';
import { WindowCounter } from './window-counter';

describe('cacheControlFor', () => {
  const table: Array<[string, string]> = [
    ['/_next/static/chunks/main.js', IMMUTABLE],
    ['/_next/static/css/app.css', IMMUTABLE],
    ['/_next/static/media/font.woff2', IMMUTABLE],
    ['/workbox-4754cb34.js', IMMUTABLE],
    ['/icons/logo.3f9a1c2b0d.png', IMMUTABLE],
    ['/index.html', REVALIDATE],
    ['/vm/abc.html', REVALIDATE],
    ['/404.html', REVALIDATE],
    ['/sw.js', REVALIDATE],
    ['/manifest.webmanifest', REVALIDATE],
    ['/icons/icon-192.png', REVALIDATE],
    ['/deadbeef-free.js', REVALIDATE],
    ['/_next/data.json', REVALIDATE],
  ];
  for (const [p, want] of table) {
    test(`${p} → ${want}`, () => assert.equal(cacheControlFor(p.split('/').filter(Boolean)), want));
  }
});

describe('contentTypeFor', () => {
  const table: Array<[string, string]> = [
    ['index.html', 'text/html; charset=utf-8'],
    ['a.js', 'text/javascript; charset=utf-8'],
    ['a.CSS', 'text/css; charset=utf-8'],
    ['manifest.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['a.svg', 'image/svg+xml'],
    ['a.woff2', 'font/woff2'],
    ['a.wasm', 'application/wasm'],
    ['noext', 'application/octet-stream'],
    ['a.constructor', 'application/octet-stream'],
    ['a.__proto__', 'application/octet-stream'],
  ];
  for (const [f, want] of table) test(`${f} → ${want}`, () => assert.equal(contentTypeFor(f), want));
});

describe('conditional requests', () => {
  const st = { size: 1234, mtimeMs: Date.parse('2024-05-01T10:00:00.500Z') };
  const etag = etagFor(st);
  const mtime = new Date(st.mtimeMs);
  test('a matching If-None-Match (weak or strong, in a list, or *) is not modified', () => {
    assert.equal(isNotModified({ 'if-none-match': etag }, etag, mtime), true);
    assert.equal(isNotModified({ 'if-none-match': etag.slice(2) }, etag, mtime), true);
    assert.equal(isNotModified({ 'if-none-match': `"x", ${etag}` }, etag, mtime), true);
    assert.equal(isNotModified({ 'if-none-match': '*' }, etag, mtime), true);
  });
  test('a different ETag is modified, even when If-Modified-Since says otherwise', () => {
    assert.equal(isNotModified({ 'if-none-match': 'W/"other"', 'if-modified-since': new Date().toUTCString() }, etag, mtime), false);
  });
  test('If-Modified-Since compares whole seconds', () => {
    assert.equal(isNotModified({ 'if-modified-since': mtime.toUTCString() }, etag, mtime), true);
    assert.equal(isNotModified({ 'if-modified-since': new Date(st.mtimeMs - 2000).toUTCString() }, etag, mtime), false);
    assert.equal(isNotModified({ 'if-modified-since': 'garbage' }, etag, mtime), false);
    assert.equal(isNotModified({}, etag, mtime), false);
  });
});

describe('small helpers', () => {
  test('the CSP allows only the helper as a socket peer', () => {
    const csp = contentSecurityPolicy(47320);
    assert.match(csp, /connect-src 'self' ws:\/\/127\.0\.0\.1:47320 ws:\/\/localhost:47320;/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /object-src 'none'/);
  });

  test('close reasons are cut to 123 bytes of UTF-8', () => {
    assert.equal(closeReason('short'), 'short');
    const long = closeReason('é'.repeat(200));
    assert.ok(Buffer.byteLength(long, 'utf8') <= 123);
    assert.ok(long.endsWith('…'));
  });

  test('the window counter trips past the limit and forgets old events', () => {
    let now = 0;
    const c = new WindowCounter(3, 1000, () => now);
    assert.deepEqual([c.hit(), c.hit(), c.hit()], [false, false, false]);
    assert.equal(c.hit(), true);
    now = 5000;
    assert.equal(c.hit(), false);
  });
});
