import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '@openutm/shared';
import { AuthService } from '../../src/auth/auth-service';
import { lazyHostFacts } from '../../src/cli/engine-from-env';
import { startHelperServer } from '../../src/cli/helper-server';
import { defaultRuntimeRoot } from '../../src/runtime/runtime-paths';
import { VmEngine } from '../../src/vm-service/vm-engine';
import type { ApiServer } from '../../src/api/server';
import { kernelGuestRequest, testGuest } from '../support/test-guest';
import { waitForText } from '../support/wait';
import { ApiClient, until } from '../api/support/api-harness';

// Revoking a token ends what it opened: its API socket, its open console WebSockets (display and
// serial) and the console tickets it has not used yet. A VM that stops or is deleted takes its
// tickets along. The helper is composed as `openutm serve` does it, the guest is the real one.
describe('consoles end with the token or the VM they belong to', () => {
  let home: string;
  let engine: VmEngine;
  let auth: AuthService;
  let server: ApiServer;
  let vmId: string;
  const origin = () => `http://127.0.0.1:${server.port}`;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'openutm-revoke-'));
    engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: lazyHostFacts(), acceleratorOverride: 'tcg' });
    auth = AuthService.open(home, { log: () => undefined });
    // Tickets live ten minutes here, so a ticket refused below was killed, not merely expired.
    server = await startHelperServer({ engine, auth, port: 0, origins: [], tickets: { ttlMs: 600_000 }, log: () => undefined });
    vmId = (await engine.create(kernelGuestRequest('revocation'))).config.id;
    await engine.start(vmId);
    await waitForText(engine.paths(vmId).serialLog, testGuest().marker, 180_000);
  });
  after(async () => {
    ApiClient.terminateAll();
    await engine.kill(vmId).catch(() => undefined);
    await server.close();
    auth.close();
    await engine.close();
    await rm(home, { recursive: true, force: true });
  });

  async function connect(token: string): Promise<ApiClient> {
    const client = await ApiClient.open({ wsUrl: `ws://127.0.0.1:${server.port}/api`, origin: origin() });
    client.send({ type: 'hello', token, protocol: PROTOCOL_VERSION, client: { name: 'revocation test', version: '0' } });
    await client.next((m) => m.type === 'welcome');
    return client;
  }

  async function ticketFor(client: ApiClient, channel: 'display' | 'serial', id = vmId): Promise<string> {
    const reply = await client.request('console.open', { id, channel });
    assert.ok(reply.result, `console.open answered ${JSON.stringify(reply.error)}`);
    return (reply.result as { ticket: string }).ticket;
  }

  // A console WebSocket as the browser opens it: open, or refused with an HTTP status.
  function openConsole(ticket: string, channel: 'display' | 'serial', id = vmId): Promise<{ ws: WebSocket; closed: Promise<number> } | { refused: number }> {
    const query = `ticket=${encodeURIComponent(ticket)}${channel === 'serial' ? '&channel=serial' : ''}`;
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/console/${id}?${query}`, ['binary'], { origin: origin(), perMessageDeflate: false });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, closed }));
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        resolve({ refused: res.statusCode ?? 0 });
      });
      ws.once('error', reject);
    });
  }

  // A console left open by a broken revocation would wait forever; the bound turns that into a failure.
  test('revoking a browser token closes its display and serial consoles and kills its unused ticket', { timeout: 120_000 }, async () => {
    const browser = auth.redeemPairingCode(auth.createPairingCode().code, 'browser to revoke', '127.0.0.1');
    const other = auth.redeemPairingCode(auth.createPairingCode().code, 'browser that stays', '127.0.0.1');
    const client = await connect(browser.token);
    const bystander = await connect(other.token);
    const display = await openConsole(await ticketFor(client, 'display'), 'display');
    const serial = await openConsole(await ticketFor(client, 'serial'), 'serial');
    assert.ok('ws' in display && 'ws' in serial, 'both consoles open');
    const unused = await ticketFor(client, 'serial');
    const othersConsole = await openConsole(await ticketFor(bystander, 'serial'), 'serial');
    assert.ok('ws' in othersConsole);

    const local = await connect(auth.localCliToken());
    const reply = await local.request('auth.revoke', { id: browser.tokenId });
    assert.equal(reply.error, undefined, JSON.stringify(reply.error));

    assert.equal((await client.closed).code, 4401, 'the API socket closes');
    assert.equal(await display.closed, 4401, 'the display console closes');
    assert.equal(await serial.closed, 4401, 'the serial console closes');
    assert.deepEqual(await openConsole(unused, 'serial'), { refused: 403 }, 'the unused ticket is dead');
    assert.equal(othersConsole.ws.readyState, WebSocket.OPEN, "another client's console stays open");
    othersConsole.ws.close();
    await othersConsole.closed;
    await bystander.close();
    await local.close();
  });

  test('a ticket dies when its VM stops: after a restart it opens nothing', async () => {
    const local = await connect(auth.localCliToken());
    const ticket = await ticketFor(local, 'serial');
    await engine.kill(vmId);
    await until(async () => (await engine.get(vmId)).status.state === 'stopped', 'the VM stopped');
    await engine.start(vmId);
    assert.deepEqual(await openConsole(ticket, 'serial'), { refused: 403 });
    // A fresh ticket for the running VM works, so the refusal above was the old ticket's.
    const fresh = await openConsole(await ticketFor(local, 'serial'), 'serial');
    assert.ok('ws' in fresh);
    fresh.ws.close();
    await fresh.closed;
    await local.close();
  });

  test("a ticket dies when its VM is deleted: refused as a dead ticket, not as a missing VM", async () => {
    const local = await connect(auth.localCliToken());
    const ticket = await ticketFor(local, 'serial');
    await engine.kill(vmId);
    await engine.delete(vmId, 'revocation');
    assert.deepEqual(await openConsole(ticket, 'serial'), { refused: 403 });
    await local.close();
  });
});
