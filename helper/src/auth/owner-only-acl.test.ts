import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ownerOnlyAclArgs, restrictToOwnerSync } from './owner-only-acl';
import { writeFileAtomicSync } from './write-file-atomic-sync';

test('icacls drops inherited entries and grants full control to this account only', () => {
  assert.deepEqual(ownerOnlyAclArgs('C:\\lib\\secrets.json.tmp', { username: 'me', domain: 'PC-1' }), ['C:\\lib\\secrets.json.tmp', '/inheritance:r', '/grant:r', 'PC-1\\me:F', '/q']);
  assert.deepEqual(ownerOnlyAclArgs('C:\\a b\\s', { username: 'me', domain: undefined }).slice(2), ['/grant:r', 'me:F', '/q']);
});

test('without icacls (not Windows) the reason comes back instead of an exception', { skip: process.platform === 'win32' ? 'icacls exists here' : false }, () => {
  assert.match(restrictToOwnerSync('/nonexistent', { SystemRoot: '/nowhere' }) ?? '', /icacls\.exe: .*ENOENT/);
});

test('the Windows hook sees the empty temp file before any byte is written, and only on Windows', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openutm-acl-'));
  try {
    const target = path.join(dir, 'secrets.json');
    const seen: string[] = [];
    writeFileAtomicSync(target, '{"x":1}\n', 0o600, (temp) => seen.push(readFileSync(temp, 'utf8')));
    assert.equal(readFileSync(target, 'utf8'), '{"x":1}\n');
    assert.deepEqual(seen, process.platform === 'win32' ? [''] : []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('on Windows the file really ends up readable by its owner', { skip: process.platform !== 'win32' ? 'icacls is Windows only' : false }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openutm-acl-'));
  try {
    const target = path.join(dir, 'secrets.json');
    const problems: string[] = [];
    writeFileAtomicSync(target, 'token\n', 0o600, (temp) => {
      const p = restrictToOwnerSync(temp);
      if (p) problems.push(p);
    });
    assert.deepEqual(problems, []);
    assert.equal(readFileSync(target, 'utf8'), 'token\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
