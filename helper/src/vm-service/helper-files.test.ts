import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isOpenUtmError } from '@openutm/shared';
import { helperPlaces, whyHelperFile, type HelperFileGuard, type HelperPlaces } from './helper-files';
import { resolveUserFile } from './host-paths';
import { hostFileName } from '../disk-images/fixtures/file-names';

const PLACES: HelperPlaces = {
  libraryRoot: '/home/u/.local/share/OpenUTM',
  runtimeRoot: '/run/user/1000/openutm/abcd1234',
  configDirs: ['/home/u/.config/OpenUTM', '/home/u/.local/state/OpenUTM'],
  secretsId: null,
};

test('whyHelperFile: the helper\'s places are refused, the VM\'s own folder and the user\'s files are not', () => {
  const lib = PLACES.libraryRoot;
  const table: Array<[string, string | null, RegExp | null]> = [
    [`${lib}/secrets.json`, 'vmown00001', /secrets file/],
    [`${lib}/.secrets.json.tmp-1234`, 'vmown00001', /secrets file/],
    [`${lib}/.lock`, null, /library lock/],
    [`${lib}/.lock.owner`, null, /library lock/],
    [`${lib}/logs/helper.log`, null, /own logs/],
    [`${PLACES.runtimeRoot}/vmown00001/qmp.sock`, 'vmown00001', /runtime folder/],
    [`${PLACES.runtimeRoot}/vmother0001/display-password`, 'vmown00001', /runtime folder/],
    ['/home/u/.config/OpenUTM/settings.json', null, /settings and logs/],
    ['/home/u/.local/state/OpenUTM/x.log', null, /settings and logs/],
    [`${lib}/vms/vmother0001/disk0.qcow2`, 'vmown00001', /another VM/],
    [`${lib}/vms/vmother0001/efi-vars.fd`, null, /another VM/],
    // A VM being created has no folder yet: every VM folder is someone else's.
    [`${lib}/vms/vmown00001/debian.iso`, null, /another VM/],
    [`${lib}/vms/stray.iso`, 'vmown00001', /another VM/],
    [`${lib}/vms/vmown00001/debian.iso`, 'vmown00001', null],
    [`${lib}/vms/vmown00001/disk1.qcow2`, 'vmown00001', null],
    // Names that only look alike are not the helper's.
    [`${lib}/vms/vmown000012/x.iso`, 'vmown00001', /another VM/],
    [`${lib}/secrets.json.iso`, null, null],
    [`${lib}/my isos/debian, 12 ü.iso`, null, null],
    ['/home/u/.config/OpenUTM-other/x.iso', null, null],
    ['/home/u/Downloads/debian.iso', null, null],
    ['/run/user/1000/openutm/abcd12345/x.iso', null, null],
  ];
  for (const [target, own, expected] of table) {
    const why = whyHelperFile(target, PLACES, own);
    if (expected === null) assert.equal(why, null, `${target} (own ${own}) should be allowed`);
    else assert.match(why ?? '', expected, `${target} (own ${own}) should be refused`);
  }
});

test('whyHelperFile reads Windows paths with Windows rules', () => {
  const places: HelperPlaces = {
    libraryRoot: 'C:\\Users\\u\\AppData\\Local\\OpenUTM\\Data',
    runtimeRoot: 'C:\\Users\\u\\AppData\\Local\\Temp\\openutm\\abcd1234',
    configDirs: ['C:\\Users\\u\\AppData\\Roaming\\OpenUTM\\Config'],
    secretsId: null,
  };
  assert.match(whyHelperFile('C:\\Users\\u\\AppData\\Local\\OpenUTM\\Data\\secrets.json', places, null, path.win32) ?? '', /secrets/);
  assert.match(whyHelperFile('C:\\Users\\u\\AppData\\Local\\Temp\\openutm\\abcd1234\\vm\\x', places, null, path.win32) ?? '', /runtime/);
  assert.equal(whyHelperFile('C:\\Users\\u\\AppData\\Local\\OpenUTM\\Data\\vms\\vmown00001\\a.iso', places, 'vmown00001', path.win32), null);
  assert.equal(whyHelperFile('D:\\isos\\win11.iso', places, null, path.win32), null);
});

interface Layout {
  base: string;
  lib: string;
  guard: (own: string | null) => HelperFileGuard;
  outside: string;
}

// A real library (secrets, lock, two VM folders), runtime and config folders, and the user's own folder.
async function withLayout(fn: (l: Layout) => Promise<void>): Promise<void> {
  const base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'openutm-helper-files-')));
  const lib = path.join(base, 'library');
  const runtime = path.join(base, 'runtime');
  const config = path.join(base, 'config');
  const outside = path.join(base, hostFileName('my files, ü'));
  for (const d of [path.join(lib, 'vms', 'vmown00001'), path.join(lib, 'vms', 'vmother0001'), path.join(lib, 'logs'), path.join(runtime, 'vmown00001'), config, outside]) {
    await mkdir(d, { recursive: true });
  }
  await writeFile(path.join(lib, 'secrets.json'), '{"localCliToken":"x"}');
  await writeFile(path.join(lib, '.lock'), '1');
  await writeFile(path.join(lib, 'vms', 'vmother0001', 'disk0.qcow2'), 'x');
  await writeFile(path.join(lib, 'vms', 'vmown00001', 'own.iso'), 'x');
  await writeFile(path.join(runtime, 'vmown00001', 'display-password'), 'x');
  await writeFile(path.join(config, 'settings.json'), '{}');
  await writeFile(path.join(outside, 'debian.iso'), 'x');
  const places = () => helperPlaces({ libraryRoot: lib, runtimeRoot: runtime, configDirs: [config] });
  try {
    await fn({ base, lib, outside, guard: (own) => ({ places, ownVm: own }) });
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

function refusedBecause(pattern: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(isOpenUtmError(e), String(e));
    assert.equal(e.code, 'UNSAFE_PATH');
    assert.match(e.message, pattern);
    assert.match(e.message, /choose a file of your own/);
    return true;
  };
}

const NO_SYMLINKS = process.platform === 'win32' ? 'creating symlinks needs Developer Mode or an administrator on Windows' : false;

test('resolveUserFile refuses the helper\'s files reached through symlinks, "..", hard links and odd names', { skip: NO_SYMLINKS }, async () => {
  await withLayout(async ({ base, lib, outside, guard }) => {
    const links: Array<[string, string, RegExp]> = [
      [hostFileName('innocent, "name" ü.iso'), path.join(lib, 'secrets.json'), /secrets file/],
      ['lock.iso', path.join(lib, '.lock'), /library lock/],
      ['pw.iso', path.join(base, 'runtime', 'vmown00001', 'display-password'), /runtime folder/],
      ['other.qcow2', path.join(lib, 'vms', 'vmother0001', 'disk0.qcow2'), /another VM/],
      ['settings.iso', path.join(base, 'config', 'settings.json'), /settings and logs/],
    ];
    for (const [name, target, why] of links) {
      const p = path.join(outside, name);
      await symlink(target, p);
      await assert.rejects(resolveUserFile(p, 'ISO image', guard('vmown00001')), refusedBecause(why), name);
    }
    // A link to a folder, then a path through it.
    await symlink(lib, path.join(outside, 'lib-link'));
    await assert.rejects(resolveUserFile(path.join(outside, 'lib-link', 'secrets.json'), 'kernel', guard(null)), refusedBecause(/secrets file/));
    // ".." that climbs out of the user's folder into the library.
    await assert.rejects(resolveUserFile(`${outside}${path.sep}..${path.sep}library${path.sep}secrets.json`, 'initrd', guard(null)), refusedBecause(/secrets file/));
    // A hard link has no path in common with the file at all.
    const hard = path.join(outside, 'hard.iso');
    await link(path.join(lib, 'secrets.json'), hard);
    await assert.rejects(resolveUserFile(hard, 'ISO image', guard(null)), refusedBecause(/hard link to the helper's secrets/));
    // The user's own file, and the VM's own folder, are fine; the resolved path is returned.
    assert.equal(await resolveUserFile(path.join(outside, 'debian.iso'), 'ISO image', guard(null)), path.join(outside, 'debian.iso'));
    const own = path.join(lib, 'vms', 'vmown00001', 'own.iso');
    assert.equal(await resolveUserFile(own, 'ISO image', guard('vmown00001')), own);
    await assert.rejects(resolveUserFile(own, 'ISO image', guard('vmother0001')), refusedBecause(/another VM/));
  });
});
