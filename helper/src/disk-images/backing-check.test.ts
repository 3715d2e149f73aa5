import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isOpenUtmError } from '@openutm/shared';
import { assertBackingInside, classifyReference, combineBackingPath, isInside, resolvePhysically } from './backing-check';
import { QEMU_IMG, needsQemuImg } from './fixtures/find-qemu-img';
import type { ImageInfo, InspectedImage } from './image-info';
import { createImage, inspectImage, runQemuImg } from './qemu-img';
import { hostFileName } from './fixtures/file-names';

// An overlay name with a comma, quotes and non-ASCII (Windows: single quotes).
const TOP_NAME = hostFileName('top, "odd" ü.qcow2');

const qemuImg = QEMU_IMG ?? 'qemu-img';

function unsafe(pattern: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(isOpenUtmError(e), `expected an OpenUtmError, got ${String(e)}`);
    assert.equal(e.code, 'UNSAFE_PATH', e.message);
    assert.match(e.message, pattern);
    return true;
  };
}

// A library with one VM folder, and a folder outside it, both real paths.
async function withLayout(fn: (l: { root: string; vm: string; outside: string }) => Promise<void>): Promise<void> {
  const base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'openutm-backing-')));
  const root = path.join(base, 'library');
  const vm = path.join(root, 'vms', 'vmabc123');
  const outside = path.join(base, 'outside');
  await mkdir(vm, { recursive: true });
  await mkdir(outside);
  try {
    await fn({ root, vm, outside });
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

// An overlay written with -u, so qemu-img records the backing name without opening it.
async function overlay(file: string, backing: string, backingFormat = 'qcow2'): Promise<void> {
  await runQemuImg(qemuImg, ['create', '-q', '-f', 'qcow2', '-u', '-b', backing, '-F', backingFormat, '--', file, '16M']);
}

async function check(file: string, root: string): Promise<void> {
  await assertBackingInside(await inspectImage({ qemuImg, path: file, format: 'qcow2' }), root);
}

test('classifyReference reads names the way QEMU does', () => {
  const table: Array<[string, NodeJS.Platform, string, string?]> = [
    ['base.qcow2', 'linux', 'path'],
    ['../other/base.qcow2', 'linux', 'path'],
    ['/abs/with:colon.qcow2', 'linux', 'path'],
    ['dir/file:with:colons', 'linux', 'path'],
    ['nbd:127.0.0.1:10809', 'linux', 'protocol', 'nbd'],
    ['http://example.com/x.qcow2', 'linux', 'protocol', 'http'],
    ['file:/etc/passwd', 'linux', 'protocol', 'file'],
    ['fat:rw:/home', 'darwin', 'protocol', 'fat'],
    ['json:{"driver":"file"}', 'linux', 'json'],
    ['C:\\disks\\base.qcow2', 'win32', 'path'],
    ['C:\\disks\\base.qcow2', 'linux', 'protocol', 'C'],
    ['dir\\nbd:x', 'win32', 'path'],
    ['ssh://host/x', 'win32', 'protocol', 'ssh'],
  ];
  for (const [name, platform, kind, protocol] of table) {
    const ref = classifyReference(name, platform);
    assert.equal(ref.kind, kind, `${name} on ${platform}`);
    if (protocol) assert.equal(ref.kind === 'protocol' && ref.protocol, protocol);
  }
});

test('combineBackingPath glues like QEMU, without normalising ".."', () => {
  assert.equal(combineBackingPath('/l/vms/a/top.qcow2', 'base.qcow2', 'linux'), '/l/vms/a/base.qcow2');
  assert.equal(combineBackingPath('/l/vms/a/top.qcow2', 'link/../x', 'linux'), '/l/vms/a/link/../x');
  assert.equal(combineBackingPath('/l/vms/a/top.qcow2', '/etc/x', 'linux'), '/etc/x');
  assert.equal(combineBackingPath('C:\\l\\a\\top.qcow2', 'base.qcow2', 'win32'), 'C:\\l\\a\\base.qcow2');
});

test('isInside is strict and not fooled by shared prefixes', () => {
  assert.ok(isInside('/lib', '/lib/vms/a/x'));
  assert.ok(!isInside('/lib', '/lib'));
  assert.ok(!isInside('/lib', '/library/x'));
  assert.ok(!isInside('/lib', '/x'));
  assert.ok(!isInside('/lib', '/lib/../x'));
});

test('an overlay whose backing chain stays inside the library passes', { skip: needsQemuImg }, async () => {
  await withLayout(async ({ root, vm }) => {
    await createImage({ qemuImg, path: path.join(vm, 'base.qcow2'), format: 'qcow2', sizeMiB: 16 });
    await overlay(path.join(vm, 'mid.qcow2'), 'base.qcow2');
    await overlay(path.join(vm, TOP_NAME), 'mid.qcow2');
    await mkdir(path.join(root, 'vms', 'vmdef456'));
    await overlay(path.join(root, 'vms', 'vmdef456', 'clone.qcow2'), `../vmabc123/${TOP_NAME}`);
    await check(path.join(root, 'vms', 'vmdef456', 'clone.qcow2'), root);
    await check(path.join(vm, 'base.qcow2'), root);
  });
});

test('a backing file outside the library is refused (relative or absolute)', { skip: needsQemuImg }, async () => {
  await withLayout(async ({ root, vm, outside }) => {
    await createImage({ qemuImg, path: path.join(outside, 'outside.qcow2'), format: 'qcow2', sizeMiB: 16 });
    await overlay(path.join(vm, 'rel.qcow2'), '../../../outside/outside.qcow2');
    await assert.rejects(check(path.join(vm, 'rel.qcow2'), root), unsafe(/outside the VM's folder/));
    // From <root>/vms/<id>/, three levels up leaves the library (a missing file, judged by its folder).
    await overlay(path.join(vm, 'dotdot.qcow2'), '../../../outside.qcow2');
    await assert.rejects(check(path.join(vm, 'dotdot.qcow2'), root), unsafe(/outside the VM's folder/));
    // Two levels up is the library root itself: still inside, so allowed.
    await createImage({ qemuImg, path: path.join(root, 'shared-base.qcow2'), format: 'qcow2', sizeMiB: 16 });
    await overlay(path.join(vm, 'root-level.qcow2'), '../../shared-base.qcow2');
    await check(path.join(vm, 'root-level.qcow2'), root);
    await overlay(path.join(vm, 'abs.qcow2'), path.join(outside, 'outside.qcow2'));
    await assert.rejects(check(path.join(vm, 'abs.qcow2'), root), unsafe(/outside the VM's folder/));
    await overlay(path.join(vm, 'etc.qcow2'), '/etc/passwd', 'raw');
    await assert.rejects(check(path.join(vm, 'etc.qcow2'), root), unsafe(/"\/etc\/passwd" is outside/));
  });
});

test('a deeper link of the chain that leaves the library is refused too', { skip: needsQemuImg }, async () => {
  await withLayout(async ({ root, vm, outside }) => {
    await createImage({ qemuImg, path: path.join(outside, 'secret.raw'), format: 'raw', sizeMiB: 16 });
    await overlay(path.join(vm, 'base.qcow2'), path.join(outside, 'secret.raw'), 'raw');
    await overlay(path.join(vm, 'top.qcow2'), 'base.qcow2');
    await assert.rejects(check(path.join(vm, 'top.qcow2'), root), unsafe(/base\.qcow2: its backing file .*secret\.raw/));
  });
});

test('symlinks are followed: a link inside the library pointing out is refused', { skip: needsQemuImg }, async () => {
  await withLayout(async ({ root, vm, outside }) => {
    await mkdir(path.join(outside, 'deep'));
    await createImage({ qemuImg, path: path.join(outside, 'deep', 'disk.qcow2'), format: 'qcow2', sizeMiB: 16 });
    await createImage({ qemuImg, path: path.join(outside, 'x.qcow2'), format: 'qcow2', sizeMiB: 16 });
    await symlink(path.join(outside, 'deep'), path.join(vm, 'link'), 'junction');
    await overlay(path.join(vm, 'via-link.qcow2'), 'link/disk.qcow2');
    await assert.rejects(check(path.join(vm, 'via-link.qcow2'), root), unsafe(/outside the VM's folder/));
    // "link/../x.qcow2" is vms/vmabc123/x.qcow2 to a lexical normaliser, but the kernel (and so
    // QEMU) resolves ".." after following the link, landing in outside/.
    await overlay(path.join(vm, 'dotdot-link.qcow2'), 'link/../x.qcow2');
    await assert.rejects(check(path.join(vm, 'dotdot-link.qcow2'), root), unsafe(/outside the VM's folder/));
    await symlink(path.join(outside, 'x.qcow2'), path.join(vm, 'file-link.qcow2'));
    await overlay(path.join(vm, 'via-file-link.qcow2'), 'file-link.qcow2');
    await assert.rejects(check(path.join(vm, 'via-file-link.qcow2'), root), unsafe(/outside the VM's folder/));
  });
});

test('json: and protocol backing names are refused', { skip: needsQemuImg }, async () => {
  await withLayout(async ({ root, vm }) => {
    await overlay(path.join(vm, 'json.qcow2'), 'json:{"driver":"qcow2","file":{"driver":"file","filename":"/etc/shadow"}}');
    await assert.rejects(check(path.join(vm, 'json.qcow2'), root), unsafe(/json: pseudo-protocol/));
    for (const [name, protocol] of [['nbd:127.0.0.1:10809', 'nbd'], ['http://example.com/x.qcow2', 'http'], ['file:/etc/passwd', 'file']]) {
      await rm(path.join(vm, 'proto.qcow2'), { force: true });
      await overlay(path.join(vm, 'proto.qcow2'), name!, 'raw');
      await assert.rejects(check(path.join(vm, 'proto.qcow2'), root), unsafe(new RegExp(`"${protocol}:" protocol`)));
    }
  });
});

test('a qcow2 external data file outside the library is refused', { skip: needsQemuImg }, async () => {
  await withLayout(async ({ root, vm, outside }) => {
    const file = path.join(vm, 'datafile.qcow2');
    await runQemuImg(qemuImg, ['create', '-q', '-f', 'qcow2', '-o', `data_file=${path.join(outside, 'data.raw')}`, '--', file, '1M']);
    await assert.rejects(check(file, root), unsafe(/external data file/));
  });
});

test('a missing backing file inside the library passes the location check; one outside does not', { skip: needsQemuImg }, async () => {
  await withLayout(async ({ root, vm }) => {
    await overlay(path.join(vm, 'a.qcow2'), 'not-yet.qcow2');
    await check(path.join(vm, 'a.qcow2'), root);
    await overlay(path.join(vm, 'b.qcow2'), 'nowhere/../../../../x.qcow2');
    await assert.rejects(check(path.join(vm, 'b.qcow2'), root), unsafe(/outside the VM's folder/));
  });
});

function fakeInfo(over: Partial<ImageInfo>): InspectedImage {
  return {
    filename: '/lib/vms/vmabc123/top.qcow2',
    format: 'qcow2',
    virtualSize: 1,
    actualSize: null,
    clusterSize: null,
    backingFilename: null,
    fullBackingFilename: null,
    backingFormat: null,
    dirty: false,
    encrypted: false,
    corrupt: false,
    dataFile: null,
    snapshots: 0,
    backingChain: [],
    ...over,
  };
}

test('a backing file without a recorded format, or of another format, is refused (QEMU would probe or misuse it)', async () => {
  const identity = async (p: string): Promise<string> => p;
  const opts = { realpath: identity, platform: 'linux' as const };
  await assertBackingInside(fakeInfo({ backingFilename: 'base.qcow2', backingFormat: 'qcow2' }), '/lib', opts);
  await assert.rejects(assertBackingInside(fakeInfo({ backingFilename: 'base.qcow2' }), '/lib', opts), unsafe(/no recorded format/));
  await assert.rejects(
    assertBackingInside(fakeInfo({ backingFilename: 'dir', backingFormat: 'vvfat' }), '/lib', opts),
    unsafe(/only qcow2 and raw/),
  );
  await assert.rejects(
    assertBackingInside(fakeInfo({ backingFilename: 'base.qcow2', fullBackingFilename: 'json:{}', backingFormat: 'raw' }), '/lib', opts),
    unsafe(/not a plain file/),
  );
});

test('resolvePhysically resolves the existing part and refuses ".." in the missing part', async () => {
  const real = async (p: string): Promise<string> => {
    if (p === '/a' || p === '/') return p === '/a' ? '/real/a' : '/';
    throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  };
  assert.equal(await resolvePhysically('/a/b/c', real), path.join('/real/a', 'b', 'c'));
  assert.equal(await resolvePhysically('/a/b/../../x', real), null);
});
