import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiClient, cheapVm, rawRequest, startHarness, tryUpgrade, type Harness } from './support/api-harness';
import { refuseUpgrade } from '../../src/api/http-replies';

// Host and Origin are checked before any route: refused upgrades never complete the handshake,
// and nothing behind them runs.
describe('Host and Origin guards on the real server', () => {
  let h: Harness;
  let before_: string[];
  const consoleCalls: Array<{ vmId: string; ticket: string }> = [];

  before(async () => {
    h = await startHarness({
      origins: ['https://openutm.example'],
      consoleUpgrade: (_req: IncomingMessage, socket: Duplex, _head: Buffer, vmId: string, ticket: string) => {
        consoleCalls.push({ vmId, ticket });
        refuseUpgrade(socket, 418, 'test bridge');
      },
    });
    await h.engine.create(cheapVm('guarded'));
    before_ = await h.vmIds();
  });
  after(() => h.close());

  test('a WebSocket from a foreign Origin is refused with 403 before the handshake', async () => {
    const r = await tryUpgrade(h.port, { headers: { origin: 'https://evil.example' } });
    assert.deepEqual(r.upgraded, false);
    assert.equal(!r.upgraded && r.status, 403);
    await assert.rejects(ApiClient.open(h, { origin: 'https://evil.example' }), /HTTP 403/);
    assert.deepEqual(await h.vmIds(), before_);
  });

  test('a look-alike of an allowed origin is refused', async () => {
    for (const origin of ['https://openutm.example.evil.example', 'http://openutm.example', `http://127.0.0.1:${h.port}/`, `http://[::1]:${h.port}`]) {
      const r = await tryUpgrade(h.port, { headers: { origin } });
      assert.equal(r.upgraded, false, origin);
      assert.equal(!r.upgraded && r.status, 403, origin);
    }
    assert.deepEqual(await h.vmIds(), before_);
  });

  test('an upgrade with no Origin, or Origin null, is refused', async () => {
    const none = await tryUpgrade(h.port, {});
    assert.equal(!none.upgraded && none.status, 403);
    const opaque = await tryUpgrade(h.port, { headers: { origin: 'null' } });
    assert.equal(!opaque.upgraded && opaque.status, 403);
    assert.deepEqual(await h.vmIds(), before_);
  });

  test('DNS rebinding: Host evil.example:P with Origin http://evil.example:P is refused on HTTP and upgrade', async () => {
    const headers = { host: `evil.example:${h.port}`, origin: `http://evil.example:${h.port}` };
    const http = await rawRequest(h.port, { path: '/', headers });
    assert.equal(http.status, 403);
    assert.match(http.body, /not this helper/);
    const pair = await rawRequest(h.port, { method: 'POST', path: '/api/pair', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(pair.status, 403);
    const ws = await tryUpgrade(h.port, { headers });
    assert.equal(!ws.upgraded && ws.status, 403);
    // Even with an allowed Origin, a foreign Host is refused.
    const mixed = await tryUpgrade(h.port, { headers: { host: `evil.example:${h.port}`, origin: h.origin } });
    assert.equal(!mixed.upgraded && mixed.status, 403);
    assert.deepEqual(await h.vmIds(), before_);
    assert.equal(h.auth.tokenCount(), 1);
  });

  test('the loopback names with the right port pass; the allowlisted hosted origin may connect', async () => {
    for (const host of [`localhost:${h.port}`, `[::1]:${h.port}`, `127.0.0.1:${h.port}`]) {
      const r = await tryUpgrade(h.port, { headers: { host, origin: h.origin } });
      assert.equal(r.upgraded, true, host);
    }
    const hosted = await tryUpgrade(h.port, { headers: { origin: 'https://openutm.example' } });
    assert.equal(hosted.upgraded, true);
  });

  test('static GETs: no Origin is fine (navigation), a foreign one is refused', async () => {
    assert.equal((await rawRequest(h.port, { path: '/' })).status, 503, 'no web root: the not-built page');
    assert.equal((await rawRequest(h.port, { path: '/', headers: { origin: h.origin } })).status, 503);
    const foreign = await rawRequest(h.port, { path: '/', headers: { origin: 'https://evil.example' } });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers['x-content-type-options'], 'nosniff');
  });

  test('/api over plain HTTP says it is a WebSocket; unknown upgrade paths are 404', async () => {
    const plain = await rawRequest(h.port, { path: '/api' });
    assert.equal(plain.status, 426);
    const other = await tryUpgrade(h.port, { path: '/nope', headers: { origin: h.origin } });
    assert.equal(!other.upgraded && other.status, 404);
  });

  test('console upgrades reach the bridge only past the guards, with a valid VM id and a ticket', async () => {
    const ok = await tryUpgrade(h.port, { path: '/console/abcdef123?ticket=t1', headers: { origin: h.origin } });
    assert.equal(!ok.upgraded && ok.status, 418, 'handed to the bridge');
    assert.deepEqual(consoleCalls, [{ vmId: 'abcdef123', ticket: 't1' }]);
    const foreign = await tryUpgrade(h.port, { path: '/console/abcdef123?ticket=t1', headers: { origin: 'https://evil.example' } });
    assert.equal(!foreign.upgraded && foreign.status, 403);
    const noTicket = await tryUpgrade(h.port, { path: '/console/abcdef123', headers: { origin: h.origin } });
    assert.equal(!noTicket.upgraded && noTicket.status, 401);
    const badId = await tryUpgrade(h.port, { path: '/console/..%2f..%2fetc?ticket=t1', headers: { origin: h.origin } });
    assert.equal(!badId.upgraded && badId.status, 404);
    assert.equal(consoleCalls.length, 1, 'refused upgrades never reached the bridge');
  });
});

describe('without a console bridge', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('/console/<vm> is 404', async () => {
    const r = await tryUpgrade(h.port, { path: '/console/abcdef123?ticket=t1', headers: { origin: h.origin } });
    assert.equal(!r.upgraded && r.status, 404);
  });
});
