import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { JobProgress, VmConfig } from '@openutm/shared';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import { vmBundlePaths, vmFolder } from '../src/vm-library/library-paths';
import { convertToTemp } from '../src/disk-images/convert-image';
import { kernelGuestRequest } from './support/test-guest';

// Disk convert and compact through the engine, with the real qemu-img on real images: data
// survives a round trip bit for bit, compact gives zeroed space back, and every refusal, cancel
// or full disk leaves vm.json and the VM's folder exactly as they were.

const run = promisify(execFile);
const MiB = 1024 * 1024;
const facts = lazyHostFacts();
const homes: string[] = [];
let engine: VmEngine;
let home: string;

async function openEngine(root: string): Promise<VmEngine> {
  return VmEngine.open({ home: root, runtimeRoot: defaultRuntimeRoot(root), hostFacts: facts, acceleratorOverride: 'tcg' });
}

async function newVm(on: VmEngine, name: string, disks: Array<{ sizeMiB: number; format?: 'qcow2' | 'raw' }>): Promise<VmConfig> {
  return (await on.create(kernelGuestRequest(name, { disks }))).config;
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

// Writes a recognisable pattern (not zeros: each MiB carries its own number) into a raw image.
async function writePattern(file: string, fromMiB: number, countMiB: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    for (let i = 0; i < countMiB; i++) {
      const block = Buffer.alloc(MiB, `block ${fromMiB + i} of the test pattern · `);
      await handle.write(block, 0, MiB, (fromMiB + i) * MiB);
    }
  } finally {
    await handle.close();
  }
}

// The VM's folder and vm.json, to prove that nothing changed.
async function snapshotOf(root: string, id: string): Promise<{ config: string; files: string[] }> {
  const files = (await readdir(vmFolder(root, id))).filter((f) => f !== 'logs' && f !== 'screenshots').sort();
  return { config: await readFile(vmBundlePaths(root, id).config, 'utf8'), files };
}

function recordJobs(on: VmEngine): { events: JobProgress[]; stop: () => void } {
  const events: JobProgress[] = [];
  const listener = (p: JobProgress) => events.push(p);
  on.on('progress', listener);
  return { events, stop: () => on.off('progress', listener) };
}

before(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openutm-disktools-'));
  homes.push(home);
  engine = await openEngine(home);
});

after(async () => {
  await engine.close();
  for (const h of homes) await rm(h, { recursive: true, force: true });
});

describe('disk convert and compact on a stopped VM', () => {
  test('raw → qcow2 → raw keeps every byte; vm.json follows each step; progress runs to done', async () => {
    const vm = await newVm(engine, 'round-trip', [{ sizeMiB: 24, format: 'raw' }]);
    const raw = path.join(vmFolder(home, vm.id), 'disk0.img');
    await writePattern(raw, 2, 6);
    await writePattern(raw, 20, 2);
    const original = await sha256(raw);
    const jobs = recordJobs(engine);
    try {
      const toQcow2 = await engine.disks.convert(vm.id, 'disk0', 'qcow2', 'convert-1');
      assert.deepEqual([toQcow2.disk.file, toQcow2.disk.format, toQcow2.disk.virtualBytes], ['disk0.qcow2', 'qcow2', 24 * MiB]);
      // The qcow2 holds the 8 MiB written, not the 24 MiB the guest sees.
      assert.ok(toQcow2.bytesAfter < 12 * MiB, `qcow2 takes ${toQcow2.bytesAfter} bytes`);
      const mid = (await engine.get(vm.id)).config.disks[0]!;
      assert.deepEqual([mid.file, mid.format, mid.sizeMiB], ['disk0.qcow2', 'qcow2', 24]);
      assert.deepEqual((await snapshotOf(home, vm.id)).files, ['disk0.qcow2', 'vm.json']);

      const back = await engine.disks.convert(vm.id, 'disk0', 'raw');
      assert.deepEqual([back.disk.file, back.disk.format], ['disk0.img', 'raw']);
      assert.equal(await sha256(raw), original);
      assert.deepEqual((await snapshotOf(home, vm.id)).files, ['disk0.img', 'vm.json']);
    } finally {
      jobs.stop();
    }
    const mine = jobs.events.filter((e) => e.job === 'convert-1');
    assert.ok(mine.every((e) => e.kind === 'disk' && e.vm === vm.id));
    assert.deepEqual(mine.map((e) => e.done), [...mine.map((e) => e.done)].sort((a, b) => a - b), 'done never goes back');
    assert.equal(mine.at(-1)?.state, 'done');
    assert.ok(mine.some((e) => e.label === 'Converting disk0 to qcow2'));
  });

  test('compact gives back the space of zeroed blocks, keeps the data, and keeps the file name', async () => {
    const vm = await newVm(engine, 'compact', [{ sizeMiB: 48 }]);
    const folder = vmFolder(home, vm.id);
    // A raw image with 8 MiB of data then 40 MiB of zeros, written into the qcow2 with -S 0 so
    // every zero is an allocated cluster: what a guest that zeroed its free space leaves behind.
    const source = path.join(home, 'zeroed.raw');
    await run('qemu-img', ['create', '-q', '-f', 'raw', source, '48M']);
    await writePattern(source, 0, 8);
    await run('qemu-img', ['convert', '-S', '0', '-f', 'raw', '-O', 'qcow2', source, path.join(folder, 'disk0.qcow2')]);
    const [usage] = await engine.disks.usage(vm.id);
    assert.ok(usage!.actualBytes! >= 48 * MiB, `before: ${usage!.actualBytes} bytes`);
    const before = await snapshotOf(home, vm.id);

    const result = await engine.disks.compact(vm.id, 'disk0');
    assert.ok(result.bytesBefore >= 48 * MiB);
    assert.ok(result.bytesAfter < 12 * MiB, `after: ${result.bytesAfter} bytes`);
    assert.deepEqual(await snapshotOf(home, vm.id), before, 'same files, same vm.json');
    await run('qemu-img', ['compare', '-f', 'raw', '-F', 'qcow2', source, path.join(folder, 'disk0.qcow2')]);
    const [after] = await engine.disks.usage(vm.id);
    assert.equal(after!.actualBytes, result.bytesAfter);
    assert.equal(after!.virtualBytes, 48 * MiB);
  });

  test('cancel midway: CANCELLED, no temp file, vm.json and the image unchanged', async () => {
    const vm = await newVm(engine, 'cancel', [{ sizeMiB: 256, format: 'raw' }]);
    const raw = path.join(vmFolder(home, vm.id), 'disk0.img');
    await writePattern(raw, 0, 256);
    const hash = await sha256(raw);
    const before = await snapshotOf(home, vm.id);
    const events: JobProgress[] = [];
    // Cancelled from the first event qemu-img's run reports, while 256 MiB are still to copy.
    const listener = (p: JobProgress) => {
      events.push(p);
      if (p.job === 'cancel-me' && p.label.startsWith('Converting') && events.filter((e) => e.job === 'cancel-me').length === 1) engine.disks.cancel('cancel-me');
    };
    engine.on('progress', listener);
    try {
      await assert.rejects(engine.disks.convert(vm.id, 'disk0', 'qcow2', 'cancel-me'), (e: Error & { code?: string }) => e.code === 'CANCELLED' && /unchanged/.test(e.message));
    } finally {
      engine.off('progress', listener);
    }
    assert.equal(events.at(-1)?.state, 'failed');
    assert.equal(events.at(-1)?.error?.code, 'CANCELLED');
    assert.deepEqual(await snapshotOf(home, vm.id), before);
    assert.equal(await sha256(raw), hash);
    assert.throws(() => engine.disks.cancel('cancel-me'), { code: 'NOT_FOUND' });
  });

  test('refused with a reason, nothing touched: same format, unknown disk, snapshots, a backing file', async () => {
    const vm = await newVm(engine, 'refusals', [{ sizeMiB: 16 }, { sizeMiB: 16 }]);
    const folder = vmFolder(home, vm.id);
    await run('qemu-img', ['snapshot', '-c', 'before-update', path.join(folder, 'disk0.qcow2')]);
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', path.join(folder, 'base.qcow2'), '16M']);
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', path.join(folder, 'disk1.qcow2')]);
    const before = await snapshotOf(home, vm.id);
    const refused = (code: string, pattern: RegExp) => (e: Error & { code?: string }) => e.code === code && pattern.test(e.message);
    await assert.rejects(engine.disks.convert(vm.id, 'disk0', 'qcow2'), refused('CONFLICT', /already qcow2/));
    await assert.rejects(engine.disks.compact(vm.id, 'disk9'), refused('NOT_FOUND', /has no disk disk9; its disks are disk0, disk1/));
    await assert.rejects(engine.disks.compact(vm.id, 'disk0'), refused('CONFLICT', /holds 1 snapshot, which a rewrite of the image would lose/));
    await assert.rejects(engine.disks.convert(vm.id, 'disk0', 'raw'), refused('CONFLICT', /snapshot/));
    await assert.rejects(engine.disks.convert(vm.id, 'disk1', 'raw'), refused('CONFLICT', /overlay on base\.qcow2/));
    assert.deepEqual(await snapshotOf(home, vm.id), before);
    const usage = await engine.disks.usage(vm.id);
    assert.deepEqual(usage.map((u) => [u.snapshots, u.backingFile, u.toolsBlockedBecause !== null]), [[1, null, true], [0, 'base.qcow2', true]]);
  });

  test('refused while the VM runs; its sizes are still shown', async () => {
    const vm = await newVm(engine, 'running', [{ sizeMiB: 16 }]);
    const before = await snapshotOf(home, vm.id);
    await engine.start(vm.id);
    try {
      await assert.rejects(engine.disks.compact(vm.id, 'disk0'), (e: Error & { code?: string }) => e.code === 'INVALID_STATE' && /shut the VM down to convert or compact/.test(e.message));
      await assert.rejects(engine.disks.convert(vm.id, 'disk0', 'raw'), { code: 'INVALID_STATE' });
      const [usage] = await engine.disks.usage(vm.id);
      assert.equal(usage!.virtualBytes, 16 * MiB);
      assert.ok(usage!.actualBytes !== null && usage!.actualBytes < 16 * MiB);
    } finally {
      await engine.kill(vm.id);
    }
    assert.deepEqual(await snapshotOf(home, vm.id), before);
  });
});

// A library on a 20 MiB tmpfs: mounting needs root (and Linux), so elsewhere these are skipped.
describe('a library on a small file system', () => {
  let small: string | null = null;
  const skip = process.platform !== 'linux' || process.getuid?.() !== 0 ? 'needs root on Linux to mount a tmpfs' : false;

  before(async () => {
    if (skip) return;
    small = await mkdtemp(path.join(os.tmpdir(), 'openutm-smallfs-'));
    homes.push(small);
    await run('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'openutm-test', small]);
  });

  after(async () => {
    if (small) await run('umount', [small]).catch(() => undefined);
  });

  test('a conversion that cannot fit is refused before it starts, naming what is needed and free', { skip }, async () => {
    const lib = path.join(small!, 'library');
    await mkdir(lib);
    const tiny = await openEngine(lib);
    try {
      // 256 MiB as qcow2 takes a few hundred KiB; as raw, its whole virtual size.
      const vm = await newVm(tiny, 'no-room', [{ sizeMiB: 256 }]);
      const before = await snapshotOf(lib, vm.id);
      const jobs = recordJobs(tiny);
      await assert.rejects(tiny.disks.convert(vm.id, 'disk0', 'raw', 'too-big'), (e: Error & { code?: string; details?: Record<string, unknown> }) => {
        assert.equal(e.code, 'NO_SPACE');
        assert.match(e.message, /^Converting disk0 to raw needs up to 320 MiB free in .+, but only [\d.]+ MiB is free; free up [\d.]+ MiB there/);
        assert.ok((e.details?.freeBytes as number) <= 20 * MiB);
        return true;
      });
      jobs.stop();
      assert.deepEqual(jobs.events.filter((e) => e.job === 'too-big'), [], 'no job started');
      assert.deepEqual(await snapshotOf(lib, vm.id), before);
    } finally {
      await tiny.close();
    }
  });

  test('the disk filling up during a conversion: NO_SPACE, the partial copy removed, the source intact', { skip }, async () => {
    const source = path.join(home, 'big.raw');
    await run('qemu-img', ['create', '-q', '-f', 'raw', source, '40M']);
    await writePattern(source, 0, 40);
    const hash = await sha256(source);
    const target = path.join(small!, 'big.qcow2');
    const { qemuImg } = await facts();
    await assert.rejects(
      convertToTemp({ qemuImg: qemuImg!, source, sourceFormat: 'raw', target, targetFormat: 'qcow2' }),
      (e: Error & { code?: string }) => e.code === 'NO_SPACE' && /filled up while the new image was written; the old image is unchanged and the partial copy was removed/.test(e.message),
    );
    assert.deepEqual((await readdir(small!)).filter((f) => f !== 'library'), []);
    assert.equal(await sha256(source), hash);
  });
});
