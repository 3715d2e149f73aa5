import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { isOpenUtmError } from '@openutm/shared';
import { ensurePrivateDir, whyNotPrivate } from './private-dir';

const dirFacts = { isDirectory: true, isSymbolicLink: false, uid: 501, mode: 0o40700 };

test('whyNotPrivate: only a real folder of ours, closed to group and others, passes', () => {
  const table: Array<[string, Partial<typeof dirFacts>, RegExp | null]> = [
    ['ours, 0700', {}, null],
    ['another user created it first', { uid: 502 }, /belongs to user id 502, not to you \(user id 501\)/],
    ['group may enter', { mode: 0o40750 }, /open to other users \(mode 0750\)/],
    ['anyone may write (a bare /tmp)', { mode: 0o41777 }, /open to other users \(mode 0777\)/],
    ['a symlink put in its place', { isSymbolicLink: true, isDirectory: false }, /is a symbolic link/],
    ['a file put in its place', { isDirectory: false }, /is not a folder/],
  ];
  for (const [what, change, expected] of table) {
    const got = whyNotPrivate('/tmp/openutm-501', { ...dirFacts, ...change }, 501);
    if (expected === null) assert.equal(got, null, what);
    else assert.match(got ?? '', expected, what);
  }
});

const posix = process.platform === 'win32' ? 'Windows has no owner ids or mode bits on folders' : false;
const base = await mkdtemp(path.join(os.tmpdir(), 'openutm-priv-'));
after(() => rm(base, { recursive: true, force: true }));
const uid = process.getuid?.() ?? 0;

test('ensurePrivateDir creates every level 0700 and accepts what it made', { skip: posix }, async () => {
  const root = path.join(base, 'a', 'openutm-1', 'tag');
  await ensurePrivateDir(root, path.join(base, 'a'), uid);
  for (const d of [path.join(base, 'a', 'openutm-1'), root]) assert.equal((await stat(d)).mode & 0o777, 0o700, d);
  await ensurePrivateDir(root, path.join(base, 'a'), uid);
});

test('ensurePrivateDir refuses a per-user folder left open or replaced by a link, saying what to remove', { skip: posix }, async () => {
  const open = path.join(base, 'b', 'openutm-1');
  await mkdir(open, { recursive: true });
  await chmod(open, 0o777);
  await assert.rejects(ensurePrivateDir(path.join(open, 'tag'), path.join(base, 'b'), uid), (e) => {
    assert.ok(isOpenUtmError(e) && e.code === 'UNSAFE_PATH');
    assert.match(e.message, /open to other users \(mode 0777\)\. Remove .*openutm-1/);
    return true;
  });
  const elsewhere = path.join(base, 'elsewhere');
  await mkdir(elsewhere, { mode: 0o700 });
  await mkdir(path.join(base, 'c'));
  await symlink(elsewhere, path.join(base, 'c', 'openutm-1'));
  await assert.rejects(ensurePrivateDir(path.join(base, 'c', 'openutm-1', 'tag'), path.join(base, 'c'), uid), /is a symbolic link/);
});

test('ensurePrivateDir refuses a folder owned by someone else', { skip: posix || (uid !== 0 ? 'only root can give a folder away' : false) }, async () => {
  const theirs = path.join(base, 'd', 'openutm-1');
  await mkdir(theirs, { recursive: true, mode: 0o700 });
  const { chown } = await import('node:fs/promises');
  await chown(theirs, 4242, 4242);
  await assert.rejects(ensurePrivateDir(path.join(theirs, 'tag'), path.join(base, 'd'), uid), /belongs to user id 4242/);
});
