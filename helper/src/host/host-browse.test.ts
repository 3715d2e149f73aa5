import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HostDirListing, type OpenUtmError } from '@openutm/shared';
import { browseError, browseHost, defaultBrowseStart, resolveBrowsePath } from './host-browse';

// A real folder tree in a temp dir: odd names, links, hidden files.
describe('host.browse lists a folder for the ISO chooser', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'openutm-browse-'));
    await mkdir(path.join(root, 'Downloads'));
    await mkdir(path.join(root, 'my isos'));
    await mkdir(path.join(root, 'zz-last-dir'));
    await writeFile(path.join(root, 'Downloads', 'debian 12 netinst.iso'), Buffer.alloc(4096));
    await writeFile(path.join(root, 'my isos', 'Ubuntu-日本語 ✓.iso'), 'iso bytes');
    await writeFile(path.join(root, 'a-file.txt'), 'hello');
    await writeFile(path.join(root, '.hidden-config'), 'x');
    await symlink(path.join(root, 'Downloads', 'debian 12 netinst.iso'), path.join(root, 'link-to-iso'));
    await symlink(path.join(root, 'my isos'), path.join(root, 'link-to-dir'));
    await symlink(path.join(root, 'gone'), path.join(root, 'dangling'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('with no path it opens ~/Downloads, and the answer matches the protocol schema', async () => {
    const listing = await browseHost({ showHidden: false }, { home: root });
    assert.equal(listing.path, path.join(root, 'Downloads'));
    assert.equal(listing.parent, root);
    assert.deepEqual(listing.entries.map((e) => [e.name, e.kind, e.size]), [['debian 12 netinst.iso', 'file', 4096]]);
    HostDirListing.parse(listing);
  });

  test('without a Downloads folder it opens home', () => {
    assert.equal(defaultBrowseStart('/home/ann', () => false, path.posix), '/home/ann');
    assert.equal(defaultBrowseStart('/home/ann', (p) => p === '/home/ann/Downloads', path.posix), '/home/ann/Downloads');
    assert.equal(defaultBrowseStart('C:\\Users\\ann', (p) => p === 'C:\\Users\\ann\\Downloads', path.win32), 'C:\\Users\\ann\\Downloads');
  });

  test('folders and links to folders come first; hidden files only when asked; links say where they point', async () => {
    const listing = await browseHost({ path: root, showHidden: false }, { home: root });
    assert.deepEqual(
      listing.entries.map((e) => e.name),
      ['Downloads', 'link-to-dir', 'my isos', 'zz-last-dir', 'a-file.txt', 'dangling', 'link-to-iso'],
    );
    const byName = new Map(listing.entries.map((e) => [e.name, e]));
    assert.deepEqual(byName.get('link-to-iso')?.link, { target: path.join(root, 'Downloads', 'debian 12 netinst.iso'), targetKind: 'file' });
    assert.equal(byName.get('link-to-iso')?.size, 4096);
    assert.equal(byName.get('dangling')?.link?.targetKind, 'missing');
    assert.equal(byName.get('link-to-dir')?.link?.targetKind, 'directory');
    const withHidden = await browseHost({ path: root, showHidden: true }, { home: root });
    assert.equal(withHidden.entries.find((e) => e.name === '.hidden-config')?.hidden, true);
  });

  test('unicode and spaces in names and paths survive the round trip', async () => {
    const listing = await browseHost({ path: path.join(root, 'my isos'), showHidden: false }, { home: root });
    assert.equal(listing.path, path.join(root, 'my isos'));
    assert.deepEqual(listing.entries.map((e) => e.name), ['Ubuntu-日本語 ✓.iso']);
  });

  test('`..` is folded away, and the root has no parent', async () => {
    const listing = await browseHost({ path: path.join(root, 'my isos', '..', 'Downloads', '.'), showHidden: false }, { home: root });
    assert.equal(listing.path, path.join(root, 'Downloads'));
    const top = await browseHost({ path: '/..', showHidden: false }, { home: root, maxEntries: 1 });
    // On Windows '/' is the root of the current drive, e.g. C:\.
    assert.equal(top.path, path.resolve('/'));
    assert.equal(top.parent, null);
    assert.equal(top.entries.length, 1, 'cut at the limit');
    assert.equal(top.truncated, true);
    const byBytes = await browseHost({ path: root, showHidden: false }, { home: root, maxBytes: 250 });
    assert.ok(byBytes.entries.length >= 1 && byBytes.entries.length < 7, `cut by size: ${byBytes.entries.length}`);
    assert.ok(JSON.stringify(byBytes.entries).length <= 250);
    assert.equal(byBytes.truncated, true);
  });

  // Regression: a listing read the whole folder and examined every entry at once, so one
  // request (from anyone holding a token) could make the helper stat millions of files.
  test('a huge folder is read only up to maxRead names, and only for timeMs', async () => {
    const big = path.join(root, 'big');
    await mkdir(big);
    for (let i = 0; i < 300; i++) await writeFile(path.join(big, `f${i}.iso`), '');
    const whole = await browseHost({ path: big, showHidden: false }, { home: root });
    assert.equal(whole.entries.length, 300);
    assert.equal(whole.truncated, false);
    const byCount = await browseHost({ path: big, showHidden: false }, { home: root, maxRead: 100 });
    assert.equal(byCount.entries.length, 100);
    assert.equal(byCount.truncated, true);
    // A clock that moves 1 s each time it is read: the 2 s budget runs out after a couple of reads.
    let t = 0;
    const byTime = await browseHost({ path: big, showHidden: false }, { home: root, now: () => (t += 1000), timeMs: 2_000 });
    assert.ok(byTime.entries.length < 300, `cut by time: ${byTime.entries.length}`);
    assert.equal(byTime.truncated, true);
    await rm(big, { recursive: true });
  });

  test('a missing folder, a file, and a relative path are refused with a code and a way out', async () => {
    await assert.rejects(browseHost({ path: path.join(root, 'nope'), showHidden: false }, { home: root }), (e: OpenUtmError) => {
      assert.equal(e.code, 'NOT_FOUND');
      assert.match(e.message, /does not exist/);
      return true;
    });
    await assert.rejects(browseHost({ path: path.join(root, 'a-file.txt'), showHidden: false }, { home: root }), { code: 'BAD_REQUEST' });
    await assert.rejects(browseHost({ path: path.join(root, 'a-file.txt', 'x'), showHidden: false }, { home: root }), { code: 'NOT_FOUND' });
    assert.throws(() => resolveBrowsePath('Downloads', root), { code: 'UNSAFE_PATH' });
    assert.equal(resolveBrowsePath('~/my isos', root), path.join(root, 'my isos'));
  });

  test('Windows paths: drive roots, both separators after ~, and no drive-relative paths', () => {
    const home = 'C:\\Users\\ann';
    assert.equal(resolveBrowsePath('~\\my isos', home, path.win32), 'C:\\Users\\ann\\my isos');
    assert.equal(resolveBrowsePath('~/my isos', home, path.win32), 'C:\\Users\\ann\\my isos');
    assert.equal(resolveBrowsePath('D:/isos/../x', home, path.win32), 'D:\\x');
    assert.throws(() => resolveBrowsePath('D:isos', home, path.win32), { code: 'UNSAFE_PATH' });
    assert.throws(() => resolveBrowsePath('~\\x', '/home/ann', path.posix), { code: 'UNSAFE_PATH' }, 'a backslash is a name character on POSIX');
  });

  // Tests run as root here, so a real unreadable folder cannot be made; the mapping is pure.
  test('permission errors say the helper may not read the folder', () => {
    const denied = browseError(Object.assign(new Error('x'), { code: 'EACCES' }), '/root/secret');
    assert.equal(denied.code, 'IO_ERROR');
    assert.match(denied.message, /may not read the folder \/root\/secret/);
    assert.equal(browseError(Object.assign(new Error('x'), { code: 'ELOOP' }), '/l').code, 'IO_ERROR');
  });
});
