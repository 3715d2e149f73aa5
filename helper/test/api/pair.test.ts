import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, rawRequest, startHarness, type Harness } from './support/api-harness';

const HOSTED = 'https://openutm.example';

// POST /api/pair trades a one-time code for a token, only for allowlisted origins, and a wrong
// or refused attempt creates nothing.
describe('POST /api/pair', () => {
  let h: Harness;
  before(async () => (h = await startHarness({ origins: [HOSTED] })));
  after(() => h.close());

  const pair = (body: unknown, headers: Record<string, string | undefined> = {}) => {
    const merged: Record<string, string> = {};
    for (const [k, v] of Object.entries({ origin: h.origin, 'content-type': 'application/json', ...headers })) if (v !== undefined) merged[k] = v;
    return rawRequest(h.port, { method: 'POST', path: '/api/pair', headers: merged, body: typeof body === 'string' ? body : JSON.stringify(body) });
  };

  test('a wrong code is 401 UNAUTHORIZED and creates no token', async () => {
    const before_ = h.auth.tokenCount();
    const r = await pair({ code: 'wrong', clientName: 'browser' });
    assert.equal(r.status, 401);
    assert.equal(JSON.parse(r.body).error.code, 'UNAUTHORIZED');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(h.auth.tokenCount(), before_);
  });

  test('the right code gives a token that opens the API, once', async () => {
    const code = h.auth.issuePairingCode();
    const before_ = h.auth.tokenCount();
    const r = await pair({ code, clientName: 'browser' });
    assert.equal(r.status, 200);
    const { token, tokenId } = JSON.parse(r.body) as { token: string; tokenId: string };
    assert.ok(token && tokenId);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(h.auth.tokenCount(), before_ + 1);
    const { welcome, client } = await ApiClient.ready(h, token);
    assert.equal(welcome.type, 'welcome');
    await client.close();
    const again = await pair({ code, clientName: 'browser' });
    assert.equal(again.status, 401);
    assert.equal(h.auth.tokenCount(), before_ + 1);
  });

  test('without an Origin, with a foreign one or with null it is 403 and the code survives', async () => {
    const code = h.auth.issuePairingCode();
    const before_ = h.auth.tokenCount();
    for (const origin of [undefined, 'https://evil.example', 'null']) {
      const r = await pair({ code, clientName: 'x' }, { origin });
      assert.equal(r.status, 403, String(origin));
    }
    assert.equal(h.auth.tokenCount(), before_);
    assert.equal((await pair({ code, clientName: 'x' })).status, 200, 'the refused attempts did not spend the code');
  });

  test('only application/json bodies of at most 4 KiB with both fields are read', async () => {
    const code = h.auth.issuePairingCode();
    const before_ = h.auth.tokenCount();
    // text/plain is what a cross-site form or no-preflight fetch could send.
    assert.equal((await pair({ code, clientName: 'x' }, { 'content-type': 'text/plain' })).status, 415);
    assert.equal((await pair({ code, clientName: 'x' }, { 'content-type': 'application/x-www-form-urlencoded' })).status, 415);
    assert.equal((await pair({ code, clientName: 'x'.repeat(5000) })).status, 413);
    // Without a Content-Length the limit holds while reading.
    assert.equal((await pair({ code, clientName: 'x'.repeat(5000) }, { 'transfer-encoding': 'chunked' })).status, 413);
    assert.equal((await pair('{"code":')).status, 400);
    assert.equal((await pair({ code })).status, 400);
    assert.equal((await pair({ code, clientName: 5 })).status, 400);
    assert.equal((await pair([code, 'x'])).status, 400);
    assert.equal(h.auth.tokenCount(), before_);
    assert.equal((await pair({ code, clientName: 'x' }, { 'content-type': 'application/json; charset=utf-8' })).status, 200);
  });

  test('other methods are 405', async () => {
    const r = await rawRequest(h.port, { method: 'GET', path: '/api/pair', headers: { origin: h.origin } });
    assert.equal(r.status, 405);
  });

  test('the hosted origin gets CORS and private-network preflight answers', async () => {
    const pre = await rawRequest(h.port, {
      method: 'OPTIONS',
      path: '/api/pair',
      headers: { origin: HOSTED, 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], HOSTED);
    assert.equal(pre.headers['access-control-allow-private-network'], 'true');
    assert.match(String(pre.headers['access-control-allow-headers']), /content-type/i);
    const code = h.auth.issuePairingCode();
    const r = await pair({ code, clientName: 'hosted' }, { origin: HOSTED });
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], HOSTED);
    const foreign = await rawRequest(h.port, { method: 'OPTIONS', path: '/api/pair', headers: { origin: 'https://evil.example' } });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
  });

  // Regression: the limiter refused before comparing, so five wrong codes a minute from anyone
  // (a VM's guest reaches 127.0.0.1) made the real user's right code fail with 429.
  test('a flood of wrong codes does not refuse the right one', async () => {
    const code = h.auth.issuePairingCode();
    const statuses = new Set<number>();
    for (let i = 0; i < 30; i++) statuses.add((await pair({ code: `guess-${i}`, clientName: 'x' })).status);
    assert.deepEqual([...statuses], [401]);
    const before_ = h.auth.tokenCount();
    assert.equal((await pair({ code, clientName: 'x' })).status, 200);
    assert.equal(h.auth.tokenCount(), before_ + 1);
  });
});

describe('POST /api/pair past a code\'s guessing budget', () => {
  let h: Harness;
  before(async () => (h = await startHarness({ pairingLimits: { wrongGuessesPerCode: 10 } })));
  after(() => h.close());

  test('the code is cancelled; its owner gets 429 saying why, and a new code works', async () => {
    const code = h.auth.issuePairingCode();
    const headers = { origin: h.origin, 'content-type': 'application/json' };
    const pair = (c: string) => rawRequest(h.port, { method: 'POST', path: '/api/pair', headers, body: JSON.stringify({ code: c, clientName: 'x' }) });
    for (let i = 0; i < 10; i++) assert.equal((await pair(`guess-${i}`)).status, 401);
    const before_ = h.auth.tokenCount();
    const r = await pair(code);
    assert.equal(r.status, 429);
    assert.match(JSON.parse(r.body).error.message, /cancelled after 10 wrong guesses.*openutm pair/);
    assert.equal(h.auth.tokenCount(), before_);
    assert.equal((await pair(h.auth.issuePairingCode())).status, 200);
  });
});
