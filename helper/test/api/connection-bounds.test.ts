import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { ApiClient, rawRequest, startHarness, until, type Harness } from './support/api-harness';

// A TCP connection to the helper that sends `prefix` (nothing, or half a request) and then
// sits there, as a flood's connections do.
function idleSocket(port: number, prefix = ''): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      if (prefix !== '') s.write(prefix);
      resolve(s);
    });
    s.on('error', () => undefined);
    s.once('error', reject);
  });
}

const closed = (s: Socket) => s.destroyed || s.readableEnded;

// Regression: the HTTP server had no bound on connections, and a full set of unauthenticated
// ones refused newcomers; now the oldest idle socket makes room, so a flood evicts itself.
describe('plain-HTTP connections are bounded without keeping a new client out', () => {
  let h: Harness;
  before(async () => (h = await startHarness({ maxHttpSockets: 16 })));
  after(() => h.close());

  test('100 silent and half-sent connections: the oldest are closed, a new request and a new API client are served', async () => {
    const flood: Socket[] = [];
    for (let i = 0; i < 100; i++) flood.push(await idleSocket(h.port, i % 2 === 0 ? '' : 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
    await until(() => flood.filter((s) => !closed(s)).length <= 16, 'the helper closing all but 16 of the flood', 10_000);
    assert.ok(closed(flood[0]!), 'the oldest went first');
    const r = await rawRequest(h.port, { path: '/api/pair', headers: { origin: h.origin } });
    assert.equal(r.status, 405);
    const { welcome, client } = await ApiClient.ready(h);
    assert.equal(welcome.type, 'welcome');
    // An API WebSocket is no longer an HTTP socket: more flood does not evict it.
    for (let i = 0; i < 40; i++) flood.push(await idleSocket(h.port));
    assert.deepEqual((await client.request('vm.list')).result, []);
    await client.close();
    for (const s of flood) s.destroy();
  });

  test('a request being answered outlives idle sockets when room is needed', async () => {
    // A pairing POST whose body is still coming: a request in progress.
    const [head, tail] = ['{"code":"WRONG"', ',"clientName":"x"}'];
    const busy = await idleSocket(
      h.port,
      `POST /api/pair HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nOrigin: ${h.origin}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${head.length + tail.length}\r\nConnection: close\r\n\r\n${head}`,
    );
    const answer = new Promise<string>((resolve) => {
      let text = '';
      busy.on('data', (c: Buffer) => (text += c.toString('utf8')));
      busy.on('close', () => resolve(text));
    });
    await new Promise((r) => setTimeout(r, 200));
    const flood: Socket[] = [];
    for (let i = 0; i < 60; i++) flood.push(await idleSocket(h.port));
    await until(() => flood.filter((s) => !closed(s)).length <= 15, 'idle sockets evicted', 10_000);
    busy.write(tail);
    assert.match(await answer, /^HTTP\/1\.1 401/);
    for (const s of flood) s.destroy();
  });
});
