import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DiskConfig, JobProgress } from '@openutm/shared';
import { createImage } from '../src/disk-images/qemu-img';
import { SerialQueue } from '../src/vm-service/serial-queue';
import { TryModes } from '../src/vm-service/try-mode';
import { planTryRecord, readTryRecord, TRY_RECORD_FILE } from '../src/vm-service/try-record';
import { presetConfig } from '../src/qemu-args/testing/vm-fixtures';

// TryModes over real image files, with the guest's writes made by qemu-io (QEMU's own block
// layer, as a guest's would go through it) into the overlays: no VM needed to prove that
// discard leaves the disks byte-identical, keep lands the data, and a Keep cut short finishes.
const run = promisify(execFile);
const QEMU_IMG = 'qemu-img';

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

// Writes a byte pattern at an offset through the overlay (as the guest would).
async function guestWrites(overlay: string, pattern: number, offset: string, length: string): Promise<void> {
  await run('qemu-io', ['-f', 'qcow2', '-c', `write -P ${pattern} ${offset} ${length}`, overlay]);
}

async function holdsPattern(file: string, format: 'raw' | 'qcow2', pattern: number, offset: string, length: string): Promise<boolean> {
  // qemu-io exits 1 on a mismatch and says so.
  const r = await run('qemu-io', ['-f', format, '-c', `read -P ${pattern} ${offset} ${length}`, file]).catch((e: { stdout: string; stderr: string }) => e);
  return !/Pattern verification failed/.test(r.stdout + r.stderr) && /^read \d+\/\d+ bytes/m.test(r.stdout);
}

async function setup() {
  // Commas, spaces, a colon and unicode: qemu-img's -b and QEMU's option parsing both meet them.
  const root = await mkdtemp(path.join(os.tmpdir(), 'openutm try, ü:x '));
  const folder = path.join(root, 'vm 1, é');
  await run('mkdir', ['-p', folder]);
  const disks: DiskConfig[] = [
    { id: 'sys', file: 'sys, ü.qcow2', format: 'qcow2', sizeMiB: 16, interface: 'virtio', readOnly: false },
    { id: 'data', file: 'data:1.img', format: 'raw', sizeMiB: 8, interface: 'virtio', readOnly: false },
    { id: 'ro', file: 'ro.img', format: 'raw', sizeMiB: 1, interface: 'virtio', readOnly: true },
  ];
  for (const d of disks) await createImage({ qemuImg: QEMU_IMG, path: path.join(folder, d.file), format: d.format, sizeMiB: d.sizeMiB });
  await writeFile(path.join(folder, 'efi-vars.fd'), Buffer.alloc(4096, 7));
  const events: JobProgress[] = [];
  let idle = true;
  const make = () =>
    new TryModes({ folder: () => folder, qemuImg: async () => QEMU_IMG, isIdle: () => idle, queue: new SerialQueue(), changed: () => undefined, emitJob: (p) => events.push(p) });
  const record = () => planTryRecord(presetConfig('linux-server', (c) => ({ ...c, disks })), true, new Date());
  const hashes = async () => Object.fromEntries(await Promise.all([...disks.map((d) => d.file), 'efi-vars.fd'].map(async (f) => [f, await sha256(path.join(folder, f))] as const)));
  return { root, folder, disks, events, make, record, hashes, setIdle: (v: boolean) => (idle = v) };
}

test('discard leaves every disk and the UEFI variables byte-identical, and removes every try file', async () => {
  const s = await setup();
  try {
    const before = await s.hashes();
    const files = (await readdir(s.folder)).sort();
    const tries = s.make();
    await tries.begin('vm', s.record(), QEMU_IMG);
    tries.guestRan('vm');
    assert.equal(tries.phase('vm', 'stopped'), 'pending');
    assert.equal(tries.phase('vm', 'running'), 'active');
    await guestWrites(path.join(s.folder, 'try-sys.qcow2'), 0xab, '1M', '256k');
    await guestWrites(path.join(s.folder, 'try-data.qcow2'), 0xcd, '0', '64k');
    await writeFile(path.join(s.folder, 'efi-vars.try.fd'), Buffer.alloc(4096, 9));
    assert.deepEqual(await s.hashes(), before, 'the guest wrote only into the overlays');
    assert.equal(await holdsPattern(path.join(s.folder, 'try-sys.qcow2'), 'qcow2', 0xab, '1M', '256k'), true, 'the overlay reads the write back');
    assert.equal(await holdsPattern(path.join(s.folder, 'sys, ü.qcow2'), 'qcow2', 0xab, '1M', '256k'), false, 'the disk under it does not');
    assert.throws(() => tries.assertNoChoicePending('vm', 'start'), (e: { code?: string }) => e.code === 'TRY_PENDING');
    await tries.discard('vm');
    assert.deepEqual(await s.hashes(), before);
    assert.deepEqual((await readdir(s.folder)).sort(), files);
    assert.equal(tries.phase('vm', 'stopped'), null);
    tries.assertNoChoicePending('vm', 'start');
  } finally {
    await rm(s.root, { recursive: true, force: true });
  }
});

test('keep writes the changes into the real disks and the UEFI variables, with progress to done', async () => {
  const s = await setup();
  try {
    const before = await s.hashes();
    const tries = s.make();
    await tries.begin('vm', s.record(), QEMU_IMG);
    tries.guestRan('vm');
    await guestWrites(path.join(s.folder, 'try-sys.qcow2'), 0xab, '1M', '256k');
    await guestWrites(path.join(s.folder, 'try-data.qcow2'), 0xcd, '4M', '64k');
    await writeFile(path.join(s.folder, 'efi-vars.try.fd'), Buffer.alloc(4096, 9));
    s.setIdle(false);
    await assert.rejects(tries.keep('vm'), (e: { code?: string }) => e.code === 'INVALID_STATE', 'not while the try runs');
    s.setIdle(true);
    await tries.keep('vm', 'keep-1');
    const after = await s.hashes();
    assert.equal(after['ro.img'], before['ro.img']);
    assert.ok(await holdsPattern(path.join(s.folder, 'sys, ü.qcow2'), 'qcow2', 0xab, '1M', '256k'));
    assert.ok(await holdsPattern(path.join(s.folder, 'data:1.img'), 'raw', 0xcd, '4M', '64k'));
    assert.deepEqual(await readFile(path.join(s.folder, 'efi-vars.fd')), Buffer.alloc(4096, 9));
    assert.deepEqual((await readdir(s.folder)).filter((f) => f.startsWith('try') || f.includes('.try.')), []);
    const mine = s.events.filter((e) => e.job === 'keep-1');
    assert.equal(mine.at(-1)?.state, 'done');
    assert.equal(mine[0]?.kind, 'try-keep');
    for (let i = 1; i < mine.length; i++) assert.ok(mine[i]!.done / mine[i]!.total >= mine[i - 1]!.done / mine[i - 1]!.total, 'progress never goes back');
  } finally {
    await rm(s.root, { recursive: true, force: true });
  }
});

test('a helper restart finds the pending try; a Keep cut short refuses discard and finishes when run again', async () => {
  const s = await setup();
  try {
    await s.make().begin('vm', s.record(), QEMU_IMG);
    await guestWrites(path.join(s.folder, 'try-sys.qcow2'), 0x5a, '2M', '128k');
    await guestWrites(path.join(s.folder, 'try-data.qcow2'), 0xa5, '0', '128k');
    // The next helper knows of the try only from the folder.
    const restarted = s.make();
    await restarted.load('vm');
    assert.equal(restarted.phase('vm', 'stopped'), 'pending');
    // A Keep that died after committing the first disk, before deleting its overlay.
    const record = (await readTryRecord(s.folder))!;
    await run(QEMU_IMG, ['commit', '-q', '-d', '-f', 'qcow2', '--', path.join(s.folder, 'try-sys.qcow2')]);
    record.keeping = true;
    record.disks[0]!.committed = true;
    await writeFile(path.join(s.folder, TRY_RECORD_FILE), JSON.stringify(record));
    const again = s.make();
    await again.load('vm');
    await assert.rejects(again.discard('vm'), (e: { code?: string }) => e.code === 'CONFLICT');
    await again.keep('vm');
    assert.ok(await holdsPattern(path.join(s.folder, 'sys, ü.qcow2'), 'qcow2', 0x5a, '2M', '128k'));
    assert.ok(await holdsPattern(path.join(s.folder, 'data:1.img'), 'raw', 0xa5, '0', '128k'));
    assert.equal(await readTryRecord(s.folder), null);
  } finally {
    await rm(s.root, { recursive: true, force: true });
  }
});

test('a damaged record keeps the VM blocked and both answers say why, touching nothing', async () => {
  const s = await setup();
  try {
    await s.make().begin('vm', s.record(), QEMU_IMG);
    await writeFile(path.join(s.folder, TRY_RECORD_FILE), '{"version":');
    const tries = s.make();
    await tries.load('vm');
    assert.equal(tries.phase('vm', 'stopped'), 'pending');
    assert.throws(() => tries.assertNoChoicePending('vm', 'start'), (e: { code?: string }) => e.code === 'TRY_PENDING');
    await assert.rejects(tries.keep('vm'), (e: { code?: string }) => e.code === 'CONFIG_INVALID');
    await assert.rejects(tries.discard('vm'), (e: { code?: string }) => e.code === 'CONFIG_INVALID');
    assert.ok((await readdir(s.folder)).includes('try-sys.qcow2'), 'the overlays stay');
  } finally {
    await rm(s.root, { recursive: true, force: true });
  }
});

test('a start that fails before the guest runs drops its try; once the guest ran it never does', async () => {
  const s = await setup();
  try {
    const tries = s.make();
    await tries.begin('vm', s.record(), QEMU_IMG);
    await tries.abandonUnrun('vm');
    assert.equal(await readTryRecord(s.folder), null);
    assert.equal(tries.phase('vm', 'stopped'), null);
    await tries.begin('vm', s.record(), QEMU_IMG);
    tries.guestRan('vm');
    await tries.abandonUnrun('vm');
    assert.notEqual(await readTryRecord(s.folder), null);
    await assert.rejects(tries.begin('vm', s.record(), QEMU_IMG), (e: { code?: string }) => e.code === 'TRY_PENDING');
    assert.notEqual(await readTryRecord(s.folder), null, 'a refused second try leaves the first one alone');
  } finally {
    await rm(s.root, { recursive: true, force: true });
  }
});
