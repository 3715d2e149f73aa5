import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenUtmError } from '@openutm/shared';
import { AuthService, LOCAL_CLI_TOKEN_ID, type ApiAuth } from './auth-service';
import { readLocalCliToken, secretsFilePath } from './secrets-store';
import { authHandlers } from './auth-handlers';
import { tokenIdleMsFromEnv } from './token-lifetime';

let root: string;
let t: number;
let service: AuthService;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'openutm-auth-'));
  t = Date.parse('2024-05-01T12:00:00.000Z');
  service = AuthService.open(root, { now: () => t, lastUsedDebounceMs: 3_600_000 });
});
afterEach(() => {
  service.close();
  rmSync(root, { recursive: true, force: true });
});

function onDisk(): { clients: Array<{ id: string; name: string; hash: string; lastUsedAt: string | null }> } {
  return JSON.parse(readFileSync(secretsFilePath(root), 'utf8'));
}

function pair(name = 'Firefox on laptop'): { token: string; tokenId: string } {
  const { code } = service.createPairingCode();
  return service.redeemPairingCode(code, name, '127.0.0.1');
}

test('it satisfies the ApiAuth shape the server codes against', () => {
  const auth: ApiAuth = service;
  assert.equal(typeof auth.checkToken, 'function');
});

test('pairing yields a 256-bit token, persisted as its hash before it is returned', () => {
  const { token, tokenId } = pair();
  assert.equal(Buffer.from(token, 'base64url').length, 32);
  const saved = onDisk().clients;
  assert.equal(saved.length, 1);
  assert.equal(saved[0]!.id, tokenId);
  assert.equal(readFileSync(secretsFilePath(root), 'utf8').includes(token), false, 'the raw token is never written');
  assert.deepEqual(service.verifyToken(token), { tokenId, name: 'Firefox on laptop' });
});

test('a paired token still works after the helper restarts', () => {
  const { token, tokenId } = pair();
  service.close();
  service = AuthService.open(root, { now: () => t });
  assert.equal(service.verifyToken(token)?.tokenId, tokenId);
});

test('wrong, empty and oversized tokens are refused without throwing', () => {
  pair();
  for (const bad of ['', 'x', 'a'.repeat(10_000), undefined as unknown as string, 42 as unknown as string]) {
    assert.equal(service.verifyToken(bad), null);
  }
});

test('the local CLI token from the secrets file is accepted as the local identity', () => {
  assert.deepEqual(service.verifyToken(readLocalCliToken(root)), { tokenId: LOCAL_CLI_TOKEN_ID, name: 'openutm CLI (local)' });
  assert.equal(service.localCliToken(), readLocalCliToken(root));
});

test('last use is noted at once and written when flushed (debounced)', () => {
  const { token, tokenId } = pair();
  t += 90_000;
  service.verifyToken(token);
  assert.equal(service.listTokens()[0]!.lastUsedAt, '2024-05-01T12:01:30.000Z');
  assert.equal(onDisk().clients[0]!.lastUsedAt, null, 'not written on every use');
  service.flush();
  assert.equal(onDisk().clients.find((c) => c.id === tokenId)!.lastUsedAt, '2024-05-01T12:01:30.000Z');
});

test('tokens are listed without secrets, and revoking one stops it and tells listeners', () => {
  const a = pair('Chrome');
  const b = pair('Safari');
  const list = service.listTokens();
  assert.deepEqual(list.map((x) => x.name), ['Chrome', 'Safari']);
  assert.deepEqual(Object.keys(list[0]!).sort(), ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name']);
  const revoked: string[] = [];
  const off = service.onRevoked((id) => revoked.push(id));
  assert.equal(service.revokeToken(a.tokenId).name, 'Chrome');
  assert.deepEqual(revoked, [a.tokenId]);
  assert.equal(service.verifyToken(a.token), null);
  assert.equal(service.verifyToken(b.token)?.name, 'Safari');
  assert.deepEqual(onDisk().clients.map((c) => c.id), [b.tokenId]);
  off();
  service.revokeToken(b.tokenId);
  assert.deepEqual(revoked, [a.tokenId]);
  assert.throws(() => service.revokeToken(b.tokenId), (e: unknown) => e instanceof OpenUtmError && e.code === 'NOT_FOUND');
});

test('a wrong pairing code creates no token', () => {
  service.createPairingCode();
  assert.throws(() => service.redeemPairingCode('AAAA-AAAA', 'x', '127.0.0.1'), (e: unknown) => e instanceof OpenUtmError && e.code === 'UNAUTHORIZED');
  assert.deepEqual(service.listTokens(), []);
});

test('client names from the network are cleaned', () => {
  const { tokenId } = pair('evil\u0000\nname' + 'x'.repeat(300));
  const name = service.listTokens().find((x) => x.id === tokenId)!.name;
  assert.equal(name.length, 100);
  assert.match(name, /^evil {2}name/);
});

test('the auth.* handlers: a code with its expiry, tokens with the caller’s own marked, revoke', async () => {
  const handlers = authHandlers(service);
  const local = { tokenId: LOCAL_CLI_TOKEN_ID, name: 'openutm CLI (local)', remote: '127.0.0.1' };
  const { code, expiresAt } = await handlers['auth.pairingCode'](undefined, local);
  assert.equal(expiresAt, new Date(t + 5 * 60_000).toISOString());
  const { tokenId } = service.redeemPairingCode(code, 'Edge', '127.0.0.1');
  const asCli = await handlers['auth.tokens'](undefined, local);
  assert.deepEqual(asCli.map((x) => [x.name, x.current]), [['Edge', false]]);
  const asEdge = await handlers['auth.tokens'](undefined, { ...local, tokenId, name: 'Edge' });
  assert.equal(asEdge[0]!.current, true);
  assert.equal((await handlers['auth.revoke']({ id: tokenId }, local)).name, 'Edge');
  await assert.rejects(handlers['auth.revoke']({ id: LOCAL_CLI_TOKEN_ID }, local), (e: unknown) => e instanceof OpenUtmError && e.code === 'NOT_FOUND');
});

const DAY = 24 * 60 * 60 * 1000;

test('a client token expires after the idle limit; each use moves the limit; the refusal changes nothing', () => {
  service.close();
  service = AuthService.open(root, { now: () => t, lastUsedDebounceMs: 3_600_000, tokenIdleMs: 90 * DAY });
  const { token, tokenId } = pair();
  assert.equal(service.listTokens()[0]!.expiresAt, new Date(t + 90 * DAY).toISOString());
  t += 89 * DAY;
  assert.equal(service.checkToken(token).ok, true, 'used on day 89');
  assert.equal(service.listTokens()[0]!.expiresAt, new Date(t + 90 * DAY).toISOString(), 'the use moved the expiry');
  service.flush();
  t += 90 * DAY;
  const before = readFileSync(secretsFilePath(root), 'utf8');
  const lastUsed = service.listTokens()[0]!.lastUsedAt;
  const check = service.checkToken(token);
  assert.equal(check.ok, false);
  assert.ok(!check.ok && check.reason === 'expired');
  assert.match(check.message, /expired after 90 days without use; pair this client again with `openutm pair`/);
  assert.equal(service.listTokens()[0]!.lastUsedAt, lastUsed, 'an expired token does not count as a use');
  service.flush();
  assert.equal(readFileSync(secretsFilePath(root), 'utf8'), before, 'the secrets file is unchanged');
  assert.deepEqual(service.listTokens().map((x) => x.id), [tokenId], 'it is still listed, so it can be seen and revoked');
});

test('the local CLI token never expires (it is replaced at every helper start)', () => {
  service.close();
  service = AuthService.open(root, { now: () => t, tokenIdleMs: DAY });
  t += 400 * DAY;
  assert.equal(service.checkToken(readLocalCliToken(root)).ok, true);
});

test('a secrets file from before expiry existed still loads; its tokens expire from their last use', () => {
  const { token } = pair();
  t += 10 * DAY;
  service.checkToken(token);
  service.close();
  service = AuthService.open(root, { now: () => t, tokenIdleMs: 30 * DAY });
  assert.equal(service.listTokens()[0]!.expiresAt, new Date(t + 30 * DAY).toISOString());
  t += 30 * DAY;
  assert.equal(service.verifyToken(token), null);
});

test('OPENUTM_TOKEN_IDLE_DAYS sets the limit; nonsense is a clear error', () => {
  assert.equal(tokenIdleMsFromEnv({}), 90 * DAY);
  assert.equal(tokenIdleMsFromEnv({ OPENUTM_TOKEN_IDLE_DAYS: '7' }), 7 * DAY);
  for (const bad of ['0', '-3', '1.5', 'soon']) {
    assert.throws(() => tokenIdleMsFromEnv({ OPENUTM_TOKEN_IDLE_DAYS: bad }), (e: unknown) => e instanceof OpenUtmError && /OPENUTM_TOKEN_IDLE_DAYS/.test(e.message));
  }
});
