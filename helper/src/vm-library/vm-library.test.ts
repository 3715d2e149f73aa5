import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { VmConfig, isOpenUtmError, type VmConfigInput } from '@openutm/shared';
import { defaultLibraryRoot, vmFolder } from './library-paths';
import { VmLibrary } from './vm-library';

function sampleConfig(id: string, name = `VM ${id}`): VmConfigInput {
  return {
    schemaVersion: 1,
    id,
    name,
    createdAt: '2024-05-01T10:00:00.000Z',
    updatedAt: '2024-05-01T10:00:00.000Z',
    disks: [{ id: 'disk0', file: 'disk0.qcow2', format: 'qcow2', sizeMiB: 1024 }],
  };
}

async function withLibrary(fn: (lib: VmLibrary, root: string) => Promise<void>, options?: ConstructorParameters<typeof VmLibrary>[1]): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'openutm-lib-'));
  const lib = new VmLibrary(root, options);
  try {
    await lib.open();
    await fn(lib, root);
  } finally {
    await lib.close();
    await rm(root, { recursive: true, force: true });
  }
}

async function plant(root: string, id: string, content: string): Promise<void> {
  await mkdir(path.join(root, 'vms', id), { recursive: true });
  await writeFile(path.join(root, 'vms', id, 'vm.json'), content);
}

function hasCode(code: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(isOpenUtmError(e), `expected an OpenUtmError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  };
}

test('the library root is OPENUTM_HOME when set, else an OS data dir named OpenUTM', () => {
  assert.equal(defaultLibraryRoot({ OPENUTM_HOME: '/srv/vms' }), path.resolve('/srv/vms'));
  const fallback = defaultLibraryRoot({});
  assert.ok(path.isAbsolute(fallback));
  assert.match(path.basename(fallback).toLowerCase(), /^openutm$|^data$/);
  assert.ok(!fallback.includes('nodejs'), 'no env-paths suffix');
});

test('vmFolder never joins an invalid id', () => {
  assert.equal(vmFolder('/lib', 'abc123'), path.join('/lib', 'vms', 'abc123'));
  for (const bad of ['../etc', '..', '', 'ABCDEF', 'abc/def', 'abc\\def', 'a'.repeat(33), 'abc12', 'abc123\n']) {
    assert.throws(() => vmFolder('/lib', bad), hasCode('NOT_FOUND'), JSON.stringify(bad));
  }
});

test('open creates private folders; write then read round-trips; the file is pretty JSON', async () => {
  await withLibrary(async (lib, root) => {
    if (process.platform !== 'win32') assert.equal((await stat(path.join(root, 'vms'))).mode & 0o777, 0o700);
    await lib.createFolder('vmaaaa01');
    const written = await lib.write(sampleConfig('vmaaaa01'));
    assert.deepEqual(await lib.read('vmaaaa01'), written);
    const text = await readFile(lib.configPath('vmaaaa01'), 'utf8');
    assert.equal(text, JSON.stringify(VmConfig.parse(sampleConfig('vmaaaa01')), null, 2) + '\n');
    assert.deepEqual((await readdir(lib.vmFolder('vmaaaa01'))).sort(), ['logs', 'screenshots', 'vm.json']);
  });
});

test('list shows every good VM and reports broken ones (bad JSON, too new, wrong id, missing) without hiding the rest', async () => {
  await withLibrary(async (lib, root) => {
    await plant(root, 'goodvm02', JSON.stringify(VmConfig.parse(sampleConfig('goodvm02', 'Beta'))));
    await plant(root, 'goodvm01', JSON.stringify(VmConfig.parse(sampleConfig('goodvm01', 'Alpha'))));
    await plant(root, 'badjson1', '{ "schemaVersion": 1, "id": ');
    await plant(root, 'toonew01', JSON.stringify({ ...sampleConfig('toonew01'), schemaVersion: 99 }));
    await plant(root, 'wrongid1', JSON.stringify(VmConfig.parse(sampleConfig('otherid1'))));
    await plant(root, 'invalid1', JSON.stringify({ ...sampleConfig('invalid1'), system: { cpus: 0 } }));
    await mkdir(path.join(root, 'vms', 'novmjson'));
    await writeFile(path.join(root, 'vms', 'stray-file.txt'), 'not a VM');

    const { configs, broken } = await lib.list();
    assert.deepEqual(configs.map((c) => c.name), ['Alpha', 'Beta']);
    assert.deepEqual(
      broken.map((b) => [b.id, b.error.code]),
      [
        ['badjson1', 'CONFIG_INVALID'],
        ['invalid1', 'CONFIG_INVALID'],
        ['novmjson', 'NOT_FOUND'],
        ['toonew01', 'CONFIG_TOO_NEW'],
        ['wrongid1', 'CONFIG_INVALID'],
      ],
    );
    assert.match(broken.find((b) => b.id === 'toonew01')!.error.message, /newer OpenUTM.*Update the helper/);
  });
});

test('a VM being created (folder made, no vm.json yet) is not listed as broken', async () => {
  await withLibrary(async (lib) => {
    await lib.createFolder('newvm001');
    assert.deepEqual(await lib.list(), { configs: [], broken: [] });
    await lib.write(sampleConfig('newvm001'));
    assert.equal((await lib.list()).configs.length, 1);
  });
});

test('read of an older config migrates it and writes the new format back atomically', async () => {
  const toV1 = (doc: Record<string, unknown>): Record<string, unknown> => {
    const { title, ...rest } = doc;
    return { ...rest, name: title, schemaVersion: 1 };
  };
  await withLibrary(
    async (lib, root) => {
      const { name, ...v0 } = sampleConfig('oldvm001', 'Old one');
      await plant(root, 'oldvm001', JSON.stringify({ ...v0, schemaVersion: 0, title: name }));
      const config = await lib.read('oldvm001');
      assert.equal(config.name, 'Old one');
      const onDisk = JSON.parse(await readFile(lib.configPath('oldvm001'), 'utf8')) as Record<string, unknown>;
      assert.equal(onDisk.schemaVersion, 1);
      assert.equal(onDisk.title, undefined);
      assert.deepEqual(onDisk, config);
      assert.deepEqual(await readdir(lib.vmFolder('oldvm001')), ['vm.json']);
    },
    { migrations: [toV1] },
  );
});

test('write refuses an invalid config and leaves the previous vm.json byte for byte', async () => {
  await withLibrary(async (lib) => {
    await lib.createFolder('keepvm01');
    await lib.write(sampleConfig('keepvm01'));
    const before = await readFile(lib.configPath('keepvm01'));
    for (const bad of [
      { ...sampleConfig('keepvm01'), name: '' },
      { ...sampleConfig('keepvm01'), system: { cpus: 0 } },
      { ...sampleConfig('keepvm01'), schemaVersion: 2 },
      { ...sampleConfig('keepvm01'), disks: [{ id: 'd', file: '../escape.qcow2', format: 'qcow2', sizeMiB: 1 }] },
    ]) {
      await assert.rejects(lib.write(bad as VmConfigInput), hasCode('CONFIG_INVALID'));
    }
    assert.deepEqual(await readFile(lib.configPath('keepvm01')), before);
    assert.deepEqual((await readdir(lib.vmFolder('keepvm01'))).sort(), ['logs', 'screenshots', 'vm.json']);
  });
});

test('write needs the folder to exist, so a removed VM is not brought back', async () => {
  await withLibrary(async (lib) => {
    await assert.rejects(lib.write(sampleConfig('ghostvm1')), hasCode('NOT_FOUND'));
    await lib.createFolder('ghostvm1');
    await lib.write(sampleConfig('ghostvm1'));
    await lib.remove('ghostvm1');
    await assert.rejects(lib.write(sampleConfig('ghostvm1')), hasCode('NOT_FOUND'));
  });
});

test('createFolder refuses an id that is in use', async () => {
  await withLibrary(async (lib) => {
    await lib.createFolder('dupvm001');
    await assert.rejects(lib.createFolder('dupvm001'), hasCode('CONFLICT'));
  });
});

test('remove deletes a VM folder and refuses invalid ids, missing VMs and symlinked folders', async () => {
  await withLibrary(async (lib, root) => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'openutm-outside-'));
    try {
      await writeFile(path.join(outside, 'precious'), 'keep me');
      await writeFile(path.join(root, 'keep.txt'), 'keep me too');
      for (const bad of ['..', '../..', '', '.', 'vms', 'ABCDEFG', 'abc/def', '../../tmp']) {
        await assert.rejects(lib.remove(bad), hasCode('NOT_FOUND'), JSON.stringify(bad));
      }
      await assert.rejects(lib.remove('nosuchvm'), hasCode('NOT_FOUND'));
      // 'junction' needs no privileges on Windows; elsewhere the type is ignored.
      await symlink(outside, path.join(root, 'vms', 'linkedvm'), 'junction');
      await assert.rejects(lib.remove('linkedvm'), hasCode('UNSAFE_PATH'));
      assert.equal(await readFile(path.join(outside, 'precious'), 'utf8'), 'keep me');

      await lib.createFolder('gonevm01');
      await lib.write(sampleConfig('gonevm01'));
      await writeFile(path.join(lib.vmFolder('gonevm01'), 'disk0.qcow2'), 'disk');
      await lib.remove('gonevm01');
      assert.deepEqual((await readdir(path.join(root, 'vms'))).sort(), ['linkedvm']);
      assert.equal(await readFile(path.join(root, 'keep.txt'), 'utf8'), 'keep me too');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

test('a second library on the same root is LIBRARY_LOCKED until the first closes', async () => {
  await withLibrary(async (_lib, root) => {
    const second = new VmLibrary(root, { purpose: 'the second helper' });
    await assert.rejects(second.open(), hasCode('LIBRARY_LOCKED'));
    await assert.rejects(second.write(sampleConfig('lockvm01')), hasCode('INTERNAL'));
    await _lib.close();
    await second.open();
    await second.close();
  });
});

test('open removes temp files a killed writer left in VM folders', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'openutm-lib-'));
  try {
    await plant(root, 'tempvm01', JSON.stringify(VmConfig.parse(sampleConfig('tempvm01'))));
    const folder = path.join(root, 'vms', 'tempvm01');
    await mkdir(path.join(folder, 'logs'));
    await writeFile(path.join(folder, '.vm.json.tmp-999999-0123456789ab'), '{"half": ');
    await writeFile(path.join(folder, 'logs', '.last-crash.json.tmp-999999-0123456789ab'), '');
    const lib = new VmLibrary(root);
    await lib.open();
    try {
      assert.deepEqual((await readdir(folder)).sort(), ['logs', 'vm.json']);
      assert.deepEqual(await readdir(path.join(folder, 'logs')), []);
    } finally {
      await lib.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
