import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROTOCOL_VERSION } from '@openutm/shared';
import { AuthService } from '../../src/auth/auth-service';
import { lazyHostFacts } from '../../src/cli/engine-from-env';
import { startHelperServer } from '../../src/cli/helper-server';
import { defaultRuntimeRoot } from '../../src/runtime/runtime-paths';
import { VmEngine } from '../../src/vm-service/vm-engine';
import type { ApiServer } from '../../src/api/server';
import { ApiClient, type Message } from './support/api-harness';

// Who may mint pairing codes and revoke whom, over real WebSockets to the helper as `openutm
// serve` composes it, with tokens from the real token store: a browser token (paired like any
// browser) against the local token the CLI and tray use.
describe('pairing and revocation rights', () => {
  let home: string;
  let engine: VmEngine;
  let auth: AuthService;
  let server: ApiServer;
  const endpoint = () => ({ wsUrl: `ws://127.0.0.1:${server.port}/api`, origin: `http://127.0.0.1:${server.port}` });

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'openutm-perm-'));
    engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: lazyHostFacts(), acceleratorOverride: 'tcg' });
    auth = AuthService.open(home, { log: () => undefined });
    server = await startHelperServer({ engine, auth, port: 0, origins: [], log: () => undefined });
  });
  after(async () => {
    ApiClient.terminateAll();
    await server.close();
    auth.close();
    await engine.close();
    await rm(home, { recursive: true, force: true });
  });

  // A browser paired the way the UI does it: a code from the local side, traded for a token.
  function pairBrowser(name: string): { token: string; tokenId: string } {
    return auth.redeemPairingCode(auth.createPairingCode().code, name, '127.0.0.1');
  }

  async function connect(token: string): Promise<ApiClient> {
    const client = await ApiClient.open(endpoint());
    client.send({ type: 'hello', token, protocol: PROTOCOL_VERSION, client: { name: 'permission test', version: '0' } });
    await client.next((m) => m.type === 'welcome');
    return client;
  }

  const errorOf = (reply: Message) => reply.error as { code: string; message: string } | undefined;

  test('a browser token cannot mint pairing codes; the refusal says where to get one', async () => {
    const browser = await connect(pairBrowser('stolen browser').token);
    const reply = await browser.request('auth.pairingCode', {});
    assert.equal(errorOf(reply)?.code, 'FORBIDDEN', JSON.stringify(reply));
    assert.match(errorOf(reply)!.message, /only the OpenUTM app on this computer/);
    assert.match(errorOf(reply)!.message, /openutm pair/);
    await browser.close();
  });

  test('the local token mints pairing codes', async () => {
    const local = await connect(auth.localCliToken());
    const reply = await local.request('auth.pairingCode', {});
    assert.equal(errorOf(reply), undefined, JSON.stringify(reply));
    assert.match((reply.result as { code: string }).code, /^[A-Z0-9]{8}$/);
    await local.close();
  });

  test('a browser lists every token but cannot revoke another; the other stays paired and connected', async () => {
    const a = pairBrowser('browser A');
    const b = pairBrowser('browser B');
    const clientA = await connect(a.token);
    const clientB = await connect(b.token);
    const listed = (await clientA.request('auth.tokens', {})).result as Array<{ id: string; current: boolean }>;
    assert.deepEqual(
      listed.filter((t) => t.id === a.tokenId || t.id === b.tokenId).map((t) => [t.id, t.current]),
      [
        [a.tokenId, true],
        [b.tokenId, false],
      ],
    );
    const reply = await clientA.request('auth.revoke', { id: b.tokenId });
    assert.equal(errorOf(reply)?.code, 'FORBIDDEN', JSON.stringify(reply));
    assert.match(errorOf(reply)!.message, new RegExp(`openutm tokens revoke ${b.tokenId}`));
    assert.ok(auth.listTokens().some((t) => t.id === b.tokenId), 'B is still paired');
    const stillThere = await clientB.request('auth.tokens', {});
    assert.ok(Array.isArray(stillThere.result), 'B still gets answers');
    await clientA.close();
    await clientB.close();
  });

  test('a browser may revoke itself, and its socket closes with 4401', async () => {
    const a = pairBrowser('leaving browser');
    const client = await connect(a.token);
    const reply = await client.request('auth.revoke', { id: a.tokenId });
    assert.equal(errorOf(reply), undefined, JSON.stringify(reply));
    assert.equal((reply.result as { current: boolean }).current, true);
    assert.equal((await client.closed).code, 4401);
    assert.ok(!auth.listTokens().some((t) => t.id === a.tokenId));
  });

  test('the local token revokes another client, whose socket closes', async () => {
    const b = pairBrowser('lost laptop');
    const victim = await connect(b.token);
    const local = await connect(auth.localCliToken());
    const reply = await local.request('auth.revoke', { id: b.tokenId });
    assert.equal(errorOf(reply), undefined, JSON.stringify(reply));
    assert.equal((await victim.closed).code, 4401);
    await local.close();
  });
});
