import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenUtmError } from '@openutm/shared';
import { SecretsStore, readLocalCliToken, secretsFilePath } from './secrets-store';

const posix = process.platform !== 'win32';
let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'openutm-secrets-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function record(id: string) {
  return { id, name: `client ${id}`, hash: 'ab'.repeat(32), createdAt: '2024-01-01T00:00:00.000Z', lastUsedAt: null };
}

function assertRefused(fn: () => unknown, code: string, message: RegExp) {
  assert.throws(fn, (e: unknown) => e instanceof OpenUtmError && e.code === code && message.test(e.message));
}

test('a new library gets a 0600 secrets file with a 256-bit local token', () => {
  const store = SecretsStore.open(root);
  const file = secretsFilePath(root);
  if (posix) assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(Buffer.from(store.localCliToken, 'base64url').length, 32);
  assert.equal(readLocalCliToken(root), store.localCliToken);
  assert.deepEqual(store.clients, []);
});

test('client tokens survive a reopen; the local token is new each time', () => {
  const first = SecretsStore.open(root);
  first.addClient(record('aaaaaaaaaaaa'));
  first.addClient(record('bbbbbbbbbbbb'));
  assert.equal(first.removeClient('aaaaaaaaaaaa')?.id, 'aaaaaaaaaaaa');
  assert.equal(first.removeClient('aaaaaaaaaaaa'), null);
  const second = SecretsStore.open(root);
  assert.deepEqual(second.clients.map((c) => c.id), ['bbbbbbbbbbbb']);
  assert.notEqual(second.localCliToken, first.localCliToken);
  assert.equal(readLocalCliToken(root), second.localCliToken);
});

test('the file never holds a client token itself, only what the caller stored (the hash)', () => {
  const store = SecretsStore.open(root);
  store.addClient(record('cccccccccccc'));
  const onDisk = JSON.parse(readFileSync(secretsFilePath(root), 'utf8')) as { clients: Array<Record<string, unknown>> };
  assert.deepEqual(Object.keys(onDisk.clients[0]!).sort(), ['createdAt', 'hash', 'id', 'lastUsedAt', 'name']);
});

test('without a secrets file the CLI is told to start the helper', () => {
  assertRefused(() => readLocalCliToken(root), 'UNAUTHORIZED', /openutm serve/);
});

test('a file others can read is narrowed to 0600', { skip: !posix }, () => {
  SecretsStore.open(root);
  chmodSync(secretsFilePath(root), 0o644);
  readLocalCliToken(root);
  assert.equal(statSync(secretsFilePath(root)).mode & 0o777, 0o600);
});

test('a file others can write is refused, with what to do', { skip: !posix }, () => {
  SecretsStore.open(root);
  chmodSync(secretsFilePath(root), 0o620);
  assertRefused(() => SecretsStore.open(root), 'UNSAFE_PATH', /changed by other users.*Delete it/);
  assertRefused(() => readLocalCliToken(root), 'UNSAFE_PATH', /mode 0620/);
});

test('a symbolic link in place of the file is refused', { skip: !posix }, () => {
  const elsewhere = path.join(root, 'elsewhere.json');
  writeFileSync(elsewhere, '{}', { mode: 0o600 });
  symlinkSync(elsewhere, secretsFilePath(root));
  assertRefused(() => SecretsStore.open(root), 'UNSAFE_PATH', /symbolic link/);
});

test('a malformed or newer file is refused with what to do', () => {
  writeFileSync(secretsFilePath(root), 'not json', { mode: 0o600 });
  assertRefused(() => SecretsStore.open(root), 'CONFIG_INVALID', /delete it/);
  writeFileSync(secretsFilePath(root), JSON.stringify({ version: 99 }), { mode: 0o600 });
  assertRefused(() => SecretsStore.open(root), 'CONFIG_TOO_NEW', /update OpenUTM/);
});

test('a file owned by another user is refused', { skip: !posix || process.getuid?.() !== 0 }, () => {
  SecretsStore.open(root);
  chownSync(secretsFilePath(root), 12345, 12345);
  assertRefused(() => readLocalCliToken(root), 'UNSAFE_PATH', /belongs to user id 12345/);
});
