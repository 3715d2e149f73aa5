import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import { isAlive } from '../src/qemu-process/process-control';
import { vmFolder } from '../src/vm-library/library-paths';
import { SnapshotStore } from '../src/snapshots/snapshot-store';
import { kernelGuestRequest, testGuest } from './support/test-guest';
import { typeInGuest } from './support/guest-input';
import { waitForCount, waitForMatch, waitForPrompt } from './support/wait';

// Snapshots of a UEFI VM (OVMF under TCG, the busybox guest booted with -kernel through it): the
// variable store is a raw pflash that internal qcow2 snapshots do not hold, so each snapshot keeps
// a copy of it and a restore must leave the store as it was at the snapshot. The firmware writes
// variables at every boot (its monotonic counter, boot entries), which is what changes the store
// in between here.
const guest = testGuest();
const facts = lazyHostFacts();
const BOOT_MS = 300_000;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let home: string;
let engine: VmEngine;
let id: string;
let folder: string;
const pids = new Set<number>();

const serial = () => engine.paths(id).serialLog;
const store = async () => sha(await readFile(path.join(folder, 'efi-vars.fd')));
const keptStore = async (tag: string) => sha(await readFile(new SnapshotStore(folder).efiVarsPath(tag)));

// The typed line holds `$((…))` or `$V`, never the text waited for.
async function run(line: string, expect: RegExp): Promise<void> {
  typeInGuest(engine, id, line);
  await waitForMatch(serial(), expect, 60_000);
}

async function boot(): Promise<void> {
  const { pid } = await engine.start(id);
  if (pid) pids.add(pid);
  await waitForPrompt(serial(), guest.marker, '# ', BOOT_MS);
}

before(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openutm snapshots uefi, ü '));
  engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: facts, acceleratorOverride: 'tcg' });
  const request = kernelGuestRequest('uefi snapshots', { system: { firmware: 'uefi', memoryMiB: 256, cpus: 1 }, disks: [{ sizeMiB: 16, format: 'qcow2' }] });
  id = (await engine.create(request)).config.id;
  folder = vmFolder(home, id);
});

after(async () => {
  await engine.kill(id).catch(() => undefined);
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  await engine.close();
  await rm(home, { recursive: true, force: true });
});

test('a UEFI VM: running and shut-down snapshots restore memory, disk and the variable store as they were', async () => {
  await boot();
  await run('mke2fs -q /dev/vda && mkdir -p /mnt && mount /dev/vda /mnt && echo file-A > /mnt/a && sync && V=before-$((6*7)); echo set-$V', /set-before-42/);

  // Running: the store is copied while the guest is paused for the save.
  const running = await engine.snapshots.save(id, 'S', 'running UEFI');
  assert.equal(running.memory, true);
  const atS = await store();
  assert.equal(await keptStore(running.tag), atS, 'the snapshot keeps the store as it was when taken');

  // After S: a file, a new value, and a reboot through the firmware, which writes variables.
  await run('echo file-B > /mnt/b && sync && V=after; echo wrote-$((50+5))', /wrote-55/);
  await engine.reset(id);
  await waitForCount(serial(), guest.marker, 2, BOOT_MS);
  assert.notEqual(await store(), atS, 'the firmware wrote variables at the reboot');

  // A live restore: QEMU puts the flash it loaded with the memory back into the file.
  assert.equal((await engine.snapshots.restore(id, 'S')).state, 'running');
  await run('echo R1-$(cat /mnt/a)-$([ -e /mnt/b ] && echo hasB || echo noB)-$V', /R1-file-A-noB-before-42/);
  assert.equal(await store(), atS, 'the variable store is back as it was at S');

  // Restored while paused: QEMU writes the flash it loaded back into the file only once the guest
  // runs again, so a VM stopped before that must still be left with S's store.
  await engine.reset(id);
  await waitForCount(serial(), guest.marker, 3, BOOT_MS);
  assert.notEqual(await store(), atS, 'the firmware wrote variables at the second reboot');
  assert.equal((await engine.pause(id)).state, 'paused');
  assert.equal((await engine.snapshots.restore(id, 'S')).state, 'paused');
  await engine.kill(id);
  assert.equal(await store(), atS, 'S\'s store once QEMU is gone, though the guest never ran after the restore');

  // Shut down: a disk-only snapshot, then a boot that changes the store and the disk.
  const cold = await engine.snapshots.save(id, 'C', 'shut-down UEFI');
  assert.equal(cold.memory, false);
  const atC = await store();
  assert.equal(await keptStore(cold.tag), atC);
  await boot();
  await run('mkdir -p /mnt && mount /dev/vda /mnt && echo file-C > /mnt/c && sync && echo c-$((30+3))', /c-33/);
  await engine.kill(id);
  assert.notEqual(await store(), atC, 'the boot after C wrote variables');

  await engine.snapshots.restore(id, 'C');
  assert.equal(await store(), atC, 'restoring C puts its store back');
  await boot();
  await run('mkdir -p /mnt && mount /dev/vda /mnt && echo R2-$(cat /mnt/a)-$([ -e /mnt/c ] && echo hasC || echo noC)', /R2-file-A-noC/);
  await engine.kill(id);

  // The running snapshot restored into the shut-down VM: it goes on from S, with S's store.
  const resumed = await engine.snapshots.restore(id, 'S');
  if (resumed.pid) pids.add(resumed.pid);
  assert.equal(resumed.state, 'running');
  await run('echo R3-$V-$(cat /mnt/a)-$([ -e /mnt/b ] && echo hasB || echo noB)', /R3-before-42-file-A-noB/);
  assert.equal(await store(), atS, 'S\'s variable store, not the one of the boots since');
  const log = await readFile(serial(), 'utf8');
  assert.equal(log.includes(guest.marker), false, 'the guest went on from S without booting');
});
