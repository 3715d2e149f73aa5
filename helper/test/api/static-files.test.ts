import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { rawRequest, startHarness, type Harness } from './support/api-harness';

const SECRET = 'TOP-SECRET-OUTSIDE-THE-WEB-ROOT';
// A script big enough to be worth compressing, and a page with an inline script in it.
const BIG_SCRIPT = Array.from({ length: 400 }, (_, i) => `export const value${i} = ${i} * 2;`).join('\n');
const BIG_PAGE = `<!doctype html><title>big</title><script>self.big=1</script>${'<p>text</p>'.repeat(200)}`;

// The web export as the helper serves it: Next's layout, cache headers fit for a service
// worker, and no way to read anything outside the root.
describe('static files', () => {
  let dir: string;
  let h: Harness;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-web-'));
    const web = path.join(dir, 'out');
    const files: Record<string, string> = {
      'index.html': '<!doctype html><title>home</title>',
      '404.html': '<!doctype html><title>not found page</title>',
      'vm/abc.html': '<!doctype html><title>vm abc</title><script>self.page="abc"</script>',
      'settings/index.html': '<!doctype html><title>settings</title>',
      '_next/static/chunks/app.js': 'console.log("app")',
      '_next/static/chunks/big.js': BIG_SCRIPT,
      'big.html': BIG_PAGE,
      'icons/big.png': 'p'.repeat(4000),
      'workbox-4754cb34.js': '/* workbox */',
      'sw.js': '/* service worker */',
      'manifest.webmanifest': '{"name":"OpenUTM"}',
      'icons/icon-192.png': 'png',
      'console/__next._tree.txt': 'console route data',
    };
    for (const [rel, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(web, rel)), { recursive: true });
      await writeFile(path.join(web, rel), content);
    }
    await writeFile(path.join(dir, 'secret.txt'), SECRET);
    await mkdir(path.join(dir, 'private'));
    await writeFile(path.join(dir, 'private', 'secret.txt'), SECRET);
    await symlink(path.join(dir, 'secret.txt'), path.join(web, 'leak.txt'));
    await symlink(path.join(dir, 'private'), path.join(web, 'linkdir'));
    h = await startHarness({ webRoot: web });
  });
  after(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  const get = (p: string, headers: Record<string, string> = {}, method = 'GET') => rawRequest(h.port, { method, path: p, headers });

  test('/ is index.html, no-cache, with CSP, nosniff and validators', async () => {
    const r = await get('/');
    assert.equal(r.status, 200);
    assert.match(r.body, /<title>home/);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.match(String(r.headers['content-security-policy']), new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${h.port} ws://localhost:${h.port}`));
    assert.ok(r.headers.etag && r.headers['last-modified']);
  });

  test("a page's CSP lists its own inline scripts by hash, no 'unsafe-inline', also on a 304 and a HEAD", async () => {
    const hash = `'sha256-${createHash('sha256').update('self.page="abc"').digest('base64')}'`;
    const r = await get('/vm/abc');
    const scriptSrc = (csp: unknown) => String(csp).split('; ').find((d) => d.startsWith('script-src'));
    assert.equal(scriptSrc(r.headers['content-security-policy']), `script-src 'self' ${hash}`);
    assert.match(r.body, /self\.page="abc"/, 'the body is still sent whole');
    const again = await get('/vm/abc', { 'if-none-match': String(r.headers.etag) });
    assert.equal(again.status, 304);
    assert.equal(scriptSrc(again.headers['content-security-policy']), `script-src 'self' ${hash}`);
    assert.equal(scriptSrc((await get('/vm/abc', {}, 'HEAD')).headers['content-security-policy']), `script-src 'self' ${hash}`);
    assert.equal(scriptSrc((await get('/')).headers['content-security-policy']), "script-src 'self'", 'a page without inline scripts allows none');
  });

  // Regression: GET /console/… answered 404 (the console bridge's prefix), so the service worker's
  // precache of the /console page's route data failed and the UI never worked offline.
  test('the /console page\'s route data is a static file; only upgrades under /console/ reach the bridge', async () => {
    const r = await get('/console/__next._tree.txt');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'console route data');
    assert.equal((await get('/api/nothing')).status, 404);
  });

  test('routes map like a Next static export: /vm/abc → vm/abc.html, /settings → settings/index.html, else 404.html', async () => {
    assert.match((await get('/vm/abc')).body, /vm abc/);
    assert.match((await get('/vm/abc?tab=console')).body, /vm abc/);
    assert.match((await get('/settings')).body, /settings/);
    assert.match((await get('/settings/')).body, /settings/);
    const missing = await get('/vm/zzz');
    assert.equal(missing.status, 404);
    assert.match(missing.body, /not found page/);
    assert.equal(missing.headers['cache-control'], 'no-cache');
  });

  test('build assets are immutable; sw.js and the manifest are revalidated', async () => {
    const chunk = await get('/_next/static/chunks/app.js');
    assert.equal(chunk.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(chunk.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal((await get('/workbox-4754cb34.js')).headers['cache-control'], 'public, max-age=31536000, immutable');
    const sw = await get('/sw.js');
    assert.equal(sw.headers['cache-control'], 'no-cache');
    const manifest = await get('/manifest.webmanifest');
    assert.equal(manifest.headers['cache-control'], 'no-cache');
    assert.equal(manifest.headers['content-type'], 'application/manifest+json; charset=utf-8');
    assert.equal((await get('/icons/icon-192.png')).headers['content-type'], 'image/png');
  });

  test('text is sent brotli- or gzip-compressed as the client accepts, images and small files as they are', async () => {
    const br = await get('/_next/static/chunks/big.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    assert.equal(Number(br.headers['content-length']), br.bytes.byteLength);
    assert.ok(br.bytes.byteLength < BIG_SCRIPT.length / 4, `${br.bytes.byteLength} bytes of ${BIG_SCRIPT.length}`);
    assert.equal(brotliDecompressSync(br.bytes).toString('utf8'), BIG_SCRIPT);
    assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
    const again = await get('/_next/static/chunks/big.js', { 'accept-encoding': 'br' });
    assert.deepEqual(again.bytes, br.bytes, 'the kept body is the same');
    const gz = await get('/_next/static/chunks/big.js', { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.bytes).toString('utf8'), BIG_SCRIPT);
    const plain = await get('/_next/static/chunks/big.js');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body, BIG_SCRIPT);
    assert.equal(plain.headers.vary, 'Accept-Encoding');
    const refused = await get('/_next/static/chunks/big.js', { 'accept-encoding': 'br;q=0, gzip;q=0' });
    assert.equal(refused.body, BIG_SCRIPT);
    const png = await get('/icons/big.png', { 'accept-encoding': 'br' });
    assert.equal(png.headers['content-encoding'], undefined);
    assert.equal(png.headers.vary, undefined);
    assert.equal(png.bytes.byteLength, 4000);
    const small = await get('/_next/static/chunks/app.js', { 'accept-encoding': 'br' });
    assert.equal(small.headers['content-encoding'], undefined);
    assert.equal(small.body, 'console.log("app")');
  });

  test('a compressed page keeps the CSP of its own bytes; HEAD and 304 agree with GET', async () => {
    const hash = `'sha256-${createHash('sha256').update('self.big=1').digest('base64')}'`;
    const page = await get('/big', { 'accept-encoding': 'br' });
    assert.equal(page.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(page.bytes).toString('utf8'), BIG_PAGE);
    assert.match(String(page.headers['content-security-policy']), new RegExp(`script-src 'self' ${hash.replace(/[+/]/g, '\\$&')}`));
    const head = await get('/big', { 'accept-encoding': 'br' }, 'HEAD');
    assert.equal(head.headers['content-encoding'], 'br');
    assert.equal(head.headers['content-length'], page.headers['content-length']);
    assert.equal(head.body, '');
    const notModified = await get('/big', { 'accept-encoding': 'br', 'if-none-match': String(page.headers.etag) });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.vary, 'Accept-Encoding');
    const missing = await get('/nothing-here', { 'accept-encoding': 'gzip' });
    assert.equal(missing.status, 404);
    assert.match(missing.body, /not found page/, '404.html is under the minimum size, sent as is');
  });

  test('a matching ETag or an unchanged date answers 304 without a body', async () => {
    const first = await get('/sw.js');
    const byTag = await get('/sw.js', { 'if-none-match': String(first.headers.etag) });
    assert.equal(byTag.status, 304);
    assert.equal(byTag.body, '');
    assert.equal(byTag.headers['cache-control'], 'no-cache');
    const byDate = await get('/sw.js', { 'if-modified-since': String(first.headers['last-modified']) });
    assert.equal(byDate.status, 304);
    const stale = await get('/sw.js', { 'if-none-match': 'W/"0-0"' });
    assert.equal(stale.status, 200);
  });

  test('HEAD sends headers only; other methods are 405', async () => {
    const head = await get('/index.html', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.ok(Number(head.headers['content-length']) > 0);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const r = await get('/index.html', { origin: h.origin }, method);
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.allow, 'GET, HEAD');
    }
  });

  test('traversal attempts never reach a file outside the root', async () => {
    const attempts = [
      '/../secret.txt',
      '/../../../../etc/passwd',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/.%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%2fsecret.txt',
      '/vm/..%2f..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/..\\secret.txt',
      '/vm\\..\\..\\secret.txt',
      '/%252e%252e/secret.txt',
      '/%c0%ae%c0%ae/secret.txt',
      '/index.html%00/../../secret.txt',
      '/leak.txt',
      '/linkdir/secret.txt',
      '/linkdir/',
      `/${dir.slice(1)}/secret.txt`,
      '/C:/secret.txt',
    ];
    for (const p of attempts) {
      const r = await get(p);
      assert.ok([400, 403, 404].includes(r.status), `${p} → ${r.status}`);
      assert.ok(!r.body.includes(SECRET), `${p} leaked the secret`);
    }
  });

  test('an absolute-form request target is refused', async () => {
    const r = await get(`http://127.0.0.1:${h.port}/index.html`);
    assert.equal(r.status, 400);
  });
});

describe('before the app is built', () => {
  let h: Harness;
  before(async () => (h = await startHarness({ webRoot: path.join(os.tmpdir(), 'openutm-no-such-web-out') })));
  after(() => h.close());

  test('every page says the app is not built and how to build it', async () => {
    for (const p of ['/', '/vm/abc']) {
      const r = await rawRequest(h.port, { path: p });
      assert.equal(r.status, 503);
      assert.match(r.body, /not built yet/);
      assert.match(r.body, /npm run build --workspace web/);
      assert.equal(r.headers['cache-control'], 'no-store');
    }
  });
});
