import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isOpenUtmError, type VmConfig } from '@openutm/shared';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import { runQemuImg } from '../src/disk-images/qemu-img';
import { vmBundlePaths, vmFolder } from '../src/vm-library/library-paths';
import { kernelGuestRequest } from './support/test-guest';

// A VM's disks stay inside its own folder: a backing file in another VM's folder, or a disk
// image that is a symlink, is refused at start, edit and clone; the helper's own files and other
// VMs' folders are refused as ISOs, kernels and import sources. Real qemu-img images throughout;
// nothing here boots a guest (every refusal comes before QEMU would start).

const NO_SYMLINKS = process.platform === 'win32' ? 'creating symlinks needs Developer Mode or an administrator on Windows' : false;

let engine: VmEngine;
let home: string;

before(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openutm-bounds-'));
  engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: lazyHostFacts(), acceleratorOverride: 'tcg' });
});

after(async () => {
  await engine.close();
  await rm(home, { recursive: true, force: true });
});

async function newVm(name: string): Promise<VmConfig> {
  return (await engine.create(kernelGuestRequest(name, { disks: [{ sizeMiB: 16 }] }))).config;
}

const diskOf = (vm: VmConfig) => path.join(vmFolder(home, vm.id), vm.disks[0]!.file);

function refused(pattern: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(isOpenUtmError(e), String(e));
    assert.equal(e.code, 'UNSAFE_PATH', e.message);
    assert.match(e.message, pattern);
    return true;
  };
}

test('start refuses a disk whose backing file lies in another VM\'s folder (the check was bounded by the whole library)', async () => {
  const victim = await newVm('victim');
  const thief = await newVm('thief');
  // The thief's disk becomes an overlay reading the victim's disk.
  const backing = path.join('..', victim.id, victim.disks[0]!.file);
  await rm(diskOf(thief));
  await runQemuImg('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-b', backing, '-F', 'qcow2', '--', diskOf(thief), '16M']);
  await assert.rejects(engine.start(thief.id), refused(/backing file .* is outside the VM's folder/));
  assert.equal((await engine.status(thief.id)).state, 'stopped');
  // A backing file in the VM's own folder is still fine as far as the check goes.
  const own = await newVm('own-chain');
  const base = path.join(vmFolder(home, own.id), 'base.qcow2');
  await rename(diskOf(own), base);
  await runQemuImg('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', '--', diskOf(own), '16M']);
  await engine.start(own.id);
  await engine.kill(own.id);
});

test('a disk image that is a symlink is refused at start, edit and clone, and nothing changes', { skip: NO_SYMLINKS }, async () => {
  const other = await newVm('link-target');
  const vm = await newVm('linked');
  await rm(diskOf(vm));
  await symlink(diskOf(other), diskOf(vm));
  const before = await readFile(vmBundlePaths(home, vm.id).config, 'utf8');
  await assert.rejects(engine.start(vm.id), refused(/symbolic link/));
  await assert.rejects(engine.edit(vm.id, { disks: { change: { disk0: { sizeMiB: 32 } } } }), refused(/symbolic link/));
  await assert.rejects(engine.clone(vm.id, 'linked copy'), refused(/symbolic link/));
  assert.equal(await readFile(vmBundlePaths(home, vm.id).config, 'utf8'), before);
  assert.ok(!(await engine.list()).some((v) => v.config.name === 'linked copy'), 'the failed clone left no VM behind');
});

test('the helper\'s files and other VMs\' disks are refused as ISOs, kernels and import sources', async () => {
  const owner = await newVm('owner');
  const vm = await newVm('chooser');
  const secrets = path.join(home, 'secrets.json');
  await writeFile(secrets, '{}', { flag: 'a' });
  assert.ok(vm.removable.some((d) => d.id === 'cd0'));
  await assert.rejects(engine.edit(vm.id, { media: { cd0: secrets } }), refused(/secrets file/));
  await assert.rejects(engine.edit(vm.id, { disks: { import: [{ path: diskOf(owner), format: 'qcow2' }] } }), refused(/another VM's folder/));
  await assert.rejects(engine.edit(vm.id, { disks: { import: [{ path: path.join(home, '.lock'), format: 'raw' }] } }), refused(/library lock/));
  await assert.rejects(
    engine.create(kernelGuestRequest('kernel thief', { linuxBoot: { kernel: path.join(vmFolder(home, owner.id), 'vm.json'), initrd: null, cmdline: '' } })),
    refused(/another VM's folder/),
  );
  // The VM's own folder is its own: a detached image there may be imported again.
  const spare = path.join(vmFolder(home, vm.id), 'spare.qcow2');
  await runQemuImg('qemu-img', ['create', '-q', '-f', 'qcow2', '--', spare, '8M']);
  const { config } = await engine.edit(vm.id, { disks: { import: [{ path: spare, format: 'qcow2' }] } });
  assert.equal(config.disks.length, 2);
});
