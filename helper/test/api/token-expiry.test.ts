// An expired client token over the real WebSocket, against the real token store (time injected,
// no sleeping): refused with 4401 and a sentence to pair again, and nothing changes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROTOCOL_VERSION } from '@openutm/shared';
import { VmEngine } from '../../src/vm-service/vm-engine';
import { lazyHostFacts } from '../../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../../src/runtime/runtime-paths';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { AuthService } from '../../src/auth/auth-service';
import { authHandlers } from '../../src/auth/auth-handlers';
import { secretsFilePath } from '../../src/auth/secrets-store';
import { consoleMethods } from '../../src/console-bridge/console-methods';
import { GuestTypist } from '../../src/keyboard/guest-typist';
import { typingMethods } from '../../src/keyboard/typing-methods';
import { ConsoleTickets } from '../../src/console-bridge/console-tickets';
import { ApiClient, cheapVm } from './support/api-harness';

const DAY = 24 * 60 * 60 * 1000;
let home: string;
let engine: VmEngine;
let auth: AuthService;
let server: ApiServer;
let clock = Date.parse('2025-01-01T00:00:00.000Z');
const target = (): { wsUrl: string; origin: string } => ({ wsUrl: `ws://127.0.0.1:${server.port}/api`, origin: `http://127.0.0.1:${server.port}` });
const hello = (token: string) => ({ type: 'hello', token, protocol: PROTOCOL_VERSION, client: { name: 'expiry test', version: '0' } });

before(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openutm-expiry-'));
  engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: lazyHostFacts(), acceleratorOverride: 'tcg' });
  auth = AuthService.open(engine.library.root, { now: () => clock, tokenIdleMs: 90 * DAY, lastUsedDebounceMs: 3_600_000 });
  const tickets = new ConsoleTickets();
  server = await startApiServer({
    engine,
    auth,
    port: 0,
    origins: [],
    helperVersion: '0.0.0-test',
    hostFacts: lazyHostFacts(),
    handlers: { ...authHandlers(auth), ...consoleMethods({ engine, tickets }), ...typingMethods(new GuestTypist({ engine, emit: () => undefined })) },
    log: () => undefined,
  });
});
after(async () => {
  ApiClient.terminateAll();
  await server.close();
  auth.close();
  await engine.close();
  await rm(home, { recursive: true, force: true });
});

test('a token unused past the idle limit is refused with 4401, says to pair again, and changes nothing', async () => {
  const { code } = auth.createPairingCode();
  const { token, tokenId } = auth.redeemPairingCode(code, 'old laptop', '127.0.0.1');

  // Still good on day 89; that use moves the limit to day 179.
  clock += 89 * DAY;
  const fresh = await ApiClient.open(target());
  fresh.send(hello(token));
  assert.equal((await fresh.next()).type, 'welcome');
  const listed = (await fresh.request('auth.tokens', {})).result as Array<{ id: string; expiresAt?: string }>;
  assert.equal(listed.find((x) => x.id === tokenId)?.expiresAt, new Date(clock + 90 * DAY).toISOString(), 'auth.tokens shows the expiry');
  await fresh.close();
  auth.flush();

  clock += 90 * DAY;
  const vmsBefore = (await engine.list()).map((v) => v.config.id);
  const secretsBefore = await readFile(secretsFilePath(engine.library.root), 'utf8');
  const late = await ApiClient.open(target());
  late.send(hello(token));
  late.send({ id: 1, method: 'vm.create', params: cheapVm('sneaky') });
  const { code: closeCode, reason } = await late.closed;
  assert.equal(closeCode, 4401);
  assert.match(reason, /expired after 90 days without use; pair this client again with `openutm pair`/);
  auth.flush();
  assert.deepEqual((await engine.list()).map((v) => v.config.id), vmsBefore, 'the request sent with it never ran');
  assert.equal(await readFile(secretsFilePath(engine.library.root), 'utf8'), secretsBefore, 'the secrets file is unchanged');
});
