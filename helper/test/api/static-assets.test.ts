import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assetWebRoot, type WebAsset } from '../../src/api/web-root';
import { rawRequest, startHarness, type Harness } from './support/api-harness';

const MTIME = new Date('2026-01-02T03:04:05Z');

// The web app as the single executable serves it: from a map of packed assets instead of a
// directory, with the same routes, headers and refusals as the export on disk.
describe('static files from packed assets', () => {
  let h: Harness;
  const files: Record<string, string> = {
    'index.html': '<!doctype html><title>home</title>',
    '404.html': '<!doctype html><title>not found page</title>',
    'vm/abc.html': '<!doctype html><title>vm abc</title>',
    'settings/index.html': '<!doctype html><title>settings</title>',
    '_next/static/chunks/app.js': 'console.log("app")',
    'sw.js': '/* service worker */',
    'manifest.webmanifest': '{"name":"OpenUTM"}',
  };

  before(async () => {
    const map = new Map<string, WebAsset>(Object.entries(files).map(([p, text]) => [p, { bytes: new TextEncoder().encode(text), mtime: MTIME }]));
    h = await startHarness({ webRoot: assetWebRoot('test assets', map) });
  });
  after(() => h.close());

  const get = (p: string, headers: Record<string, string> = {}, method = 'GET') => rawRequest(h.port, { method, path: p, headers });

  test('/ is index.html with the same headers as from disk, dated by the packager', async () => {
    const r = await get('/');
    assert.equal(r.status, 200);
    assert.equal(r.body, files['index.html']);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['content-length'], String(Buffer.byteLength(files['index.html']!)));
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.match(String(r.headers['content-security-policy']), /connect-src 'self' ws:\/\/127\.0\.0\.1:/);
    assert.equal(r.headers['last-modified'], MTIME.toUTCString());
  });

  test('routes map like a Next static export, unknown paths get 404.html', async () => {
    assert.match((await get('/vm/abc')).body, /vm abc/);
    assert.match((await get('/settings/')).body, /settings/);
    const missing = await get('/vm/zzz');
    assert.equal(missing.status, 404);
    assert.match(missing.body, /not found page/);
  });

  test('build assets are immutable, sw.js is revalidated', async () => {
    assert.equal((await get('/_next/static/chunks/app.js')).headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await get('/sw.js')).headers['cache-control'], 'no-cache');
  });

  test('a matching ETag answers 304; HEAD sends headers only', async () => {
    const first = await get('/sw.js');
    const again = await get('/sw.js', { 'if-none-match': String(first.headers.etag) });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
    const head = await get('/index.html', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(files['index.html']!)));
  });

  test('traversal and odd paths are refused before the map is asked, and never reach disk', async () => {
    for (const p of ['/../etc/passwd', '/%2e%2e/etc/passwd', '/..%2fetc%2fpasswd', '/..\\etc\\passwd', '/index.html%00', '/C:/x', '/etc/passwd']) {
      const r = await get(p);
      assert.ok([400, 403, 404].includes(r.status), `${p} → ${r.status}`);
      assert.doesNotMatch(r.body, /root:/, p);
    }
  });

  test('a map key that is not a file of the app is not served as one', async () => {
    // Keys come from the packed manifest; a key like "__proto__" must not reach Object lookups.
    const r = await get('/__proto__');
    assert.equal(r.status, 404);
  });
});
