import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { newDisplayPassword, readDisplayPassword, writeDisplayPassword } from './display-password';

test('a display password carries 256 bits in 43 characters, under SPICE’s 60-byte ticket limit', () => {
  const a = newDisplayPassword();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, newDisplayPassword());
});

test('the password file is written once, owner only, read back as is; a missing one says what to do', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-display-password-'));
  try {
    const file = path.join(dir, 'display-password');
    await writeDisplayPassword(file, 'first');
    if (process.platform !== 'win32') assert.equal((await stat(file)).mode & 0o777, 0o600);
    await assert.rejects(writeDisplayPassword(file, 'second'), { code: 'EEXIST' }, 'a running QEMU’s password is never replaced');
    assert.equal(await readDisplayPassword(file), 'first');
    await assert.rejects(readDisplayPassword(path.join(dir, 'none')), (e: Error & { code?: string }) => e.code === 'CONFLICT' && /stop and start the VM/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
