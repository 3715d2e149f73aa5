import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type ApiServerOptions } from '../../src/api/server';
import type { PluggedHandlers } from '../../src/api/handlers';
import { ApiClient, startHarness, type Harness } from './support/api-harness';

// Starting fails loudly and leaves nothing behind; stopping tells clients and frees the port.
describe('starting and stopping the server', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  const opts = (extra: Partial<ApiServerOptions>): ApiServerOptions => ({
    engine: h.engine,
    auth: h.auth,
    port: 0,
    origins: [],
    helperVersion: 't',
    handlers: {} as PluggedHandlers,
    log: () => undefined,
    ...extra,
  });
  const listeners = () => ['state', 'changed', 'removed'].map((e) => h.engine.listenerCount(e));

  test('a bad extra origin refuses to start with CONFIG_INVALID', async () => {
    const before_ = listeners();
    await assert.rejects(startApiServer(opts({ origins: ['https://ok.example', 'https://bad.example/app'] })), { code: 'CONFIG_INVALID' });
    assert.deepEqual(listeners(), before_);
  });

  test('a port in use is CONFLICT with a message naming OPENUTM_PORT', async () => {
    const before_ = listeners();
    await assert.rejects(startApiServer(opts({ port: h.port })), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'CONFLICT');
      assert.match(e.message, /OPENUTM_PORT/);
      return true;
    });
    assert.deepEqual(listeners(), before_);
  });

  test('close() says 1001 to clients, frees the port, and may be called twice', async () => {
    const server = await startApiServer(opts({}));
    const client = await ApiClient.open({ wsUrl: `ws://127.0.0.1:${server.port}/api`, origin: `http://127.0.0.1:${server.port}` });
    client.send({ type: 'hello', token: h.token, protocol: 1, client: { name: 't', version: '0' } });
    await client.next((m) => m.type === 'welcome');
    await server.close();
    await server.close();
    assert.equal((await client.closed).code, 1001);
    await assert.rejects(ApiClient.open({ wsUrl: `ws://127.0.0.1:${server.port}/api`, origin: `http://127.0.0.1:${server.port}` }), /ECONNREFUSED/);
  });
});
