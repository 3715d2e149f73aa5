import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { JobProgress, VmState } from '@openutm/shared';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import { isAlive } from '../src/qemu-process/process-control';
import { vmFolder } from '../src/vm-library/library-paths';
import { imageSnapshots } from '../src/snapshots/image-snapshots';
import { kernelGuestRequest, testGuest } from './support/test-guest';
import { typeInGuest } from './support/guest-input';
import { readFile } from 'node:fs/promises';
import { waitForMatch, waitForPrompt, waitForText } from './support/wait';

// Named snapshots against the real QEMU and the busybox guest, which formats its qcow2 disk as
// ext2 (busybox mke2fs) and mounts it: files written after a snapshot are gone once it is restored,
// and with a running VM so is everything in memory (a shell variable).
const guest = testGuest();
const facts = lazyHostFacts();
const BOOT_MS = 120_000;
let home: string;
let engine: VmEngine;
let id: string;
const pids = new Set<number>();

function serial(): string {
  return engine.paths(id).serialLog;
}

// Types a line and waits for a result that only the command's output can contain (the typed
// line holds `$((…))` or `$V`, never the expanded text).
async function run(line: string, expect: RegExp | string, timeoutMs = 60_000): Promise<void> {
  typeInGuest(engine, id, line);
  if (typeof expect === 'string') await waitForText(serial(), expect, timeoutMs);
  else await waitForMatch(serial(), expect, timeoutMs);
}

// Each start has a fresh serial log.
async function boot(): Promise<void> {
  const { pid } = await engine.start(id);
  if (pid) pids.add(pid);
  await waitForPrompt(serial(), guest.marker, '# ', BOOT_MS);
}

function nextState(want: VmState): Promise<void> {
  return new Promise((resolve) => {
    const on = (s: { id: string; state: VmState }) => {
      if (s.id === id && s.state === want) {
        engine.off('state', on);
        resolve();
      }
    };
    engine.on('state', on);
  });
}

before(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openutm-snapshots-'));
  engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: facts, acceleratorOverride: 'tcg' });
  id = (await engine.create(kernelGuestRequest('snapshots', { disks: [{ sizeMiB: 64, format: 'qcow2' }] }))).config.id;
});

after(async () => {
  await engine.kill(id).catch(() => undefined);
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  await engine.close();
  await rm(home, { recursive: true, force: true });
});

describe('snapshots of the busybox guest with an ext2 disk', () => {
  test('running: file B and a shell variable set after snapshot S are gone when S is restored; file A stays', async () => {
    await boot();
    await run('mke2fs -q /dev/vda && mkdir -p /mnt && mount /dev/vda /mnt && echo file-A > /mnt/a && sync && echo mounted-$((40+2))', 'mounted-42');
    await run('V=before-$((6*7)); echo set-$V', 'set-before-42');
    const events: JobProgress[] = [];
    const onProgress = (p: JobProgress) => events.push(p);
    engine.on('progress', onProgress);
    const saved = await engine.snapshots.save(id, 'S', 'first notes', 'save-s');
    engine.off('progress', onProgress);
    assert.equal(saved.memory, true);
    assert.ok(saved.thumbnail && Buffer.from(saved.thumbnail, 'base64').subarray(1, 4).toString() === 'PNG', 'the screen at that moment is kept as a PNG');
    assert.deepEqual([...new Set(events.filter((e) => e.job === 'save-s').map((e) => e.state))], ['running', 'done'], 'the save reports progress, then done');

    await run('echo file-B > /mnt/b && sync && V=after; echo wrote-$((50+5))', 'wrote-55');
    const listed = await engine.snapshots.list(id);
    assert.deepEqual(listed.snapshots.map((s) => [s.name, s.notes, s.memory]), [['S', 'first notes', true]]);
    assert.equal(listed.current, saved.tag);
    assert.ok(listed.snapshots[0]!.vmStateBytes > 0, 'QEMU reports the memory state it holds');
    assert.equal(listed.blocker, null);

    const status = await engine.snapshots.restore(id, 'S');
    assert.equal(status.state, 'running');
    await run('echo R1-$(cat /mnt/a)-$([ -e /mnt/b ] && echo hasB || echo noB)-$V', 'R1-file-A-noB-before-42');
  });

  test('a name is taken once, unknown names are NOT_FOUND, a disk-only restore is refused while running', async () => {
    await assert.rejects(engine.snapshots.save(id, 'S', ''), { code: 'CONFLICT' });
    await assert.rejects(engine.snapshots.restore(id, 'nope'), { code: 'NOT_FOUND' });
  });

  test('kill -9 of QEMU in the middle of snapshot-save: the VM boots again, the snapshot is complete or absent', async () => {
    // ~96 MiB of random bytes in guest RAM (the initramfs is RAM), so the memory state takes a while to write.
    await run('dd if=/dev/urandom of=/tmp/noise bs=1M count=96 2>/dev/null; echo noise-$((90+6))', 'noise-96', 120_000);
    const { pid } = await engine.get(id).then((v) => v.status);
    const crashed = nextState('crashed');
    const writing = new Promise<void>((resolve) => {
      const on = (p: JobProgress) => {
        if (p.job === 'save-killed' && p.state === 'running' && p.done > 0) {
          engine.off('progress', on);
          resolve();
        }
      };
      engine.on('progress', on);
    });
    const save = engine.snapshots.save(id, 'killed', '', 'save-killed');
    const outcome = save.then(() => 'saved', () => 'failed');
    await Promise.race([writing, save.catch(() => undefined)]);
    process.kill(pid!, 'SIGKILL');
    await crashed;
    const result = await outcome;
    const names = (await engine.snapshots.list(id)).snapshots.map((s) => s.name);
    assert.equal(names.includes('killed'), result === 'saved', `listed only when complete (save ${result})`);
    assert.ok(names.includes('S'), 'the earlier snapshot is still listed');

    await boot();
    // The next snapshot operation clears what the killed save left in the image.
    await engine.snapshots.save(id, 'after crash', '');
    const tags = (await engine.snapshots.list(id)).snapshots.map((s) => s.tag);
    await engine.stop(id, { force: true });
    const config = (await engine.get(id)).config;
    const inImage = (await imageSnapshots((await facts()).qemuImg!, path.join(vmFolder(home, id), config.disks[0]!.file))).map((s) => s.tag);
    assert.deepEqual(inImage.sort(), [...tags].sort(), 'the image holds exactly the listed snapshots');
  });

  test('shut down: a disk-only snapshot through qemu-img; file C written later is gone after restore', async () => {
    const cold = await engine.snapshots.save(id, 'cold', 'taken shut down');
    assert.equal(cold.memory, false);
    assert.equal(cold.thumbnail, null);
    await boot();
    await run('mkdir -p /mnt && mount /dev/vda /mnt && echo file-C > /mnt/c && sync && echo c-$((30+3))', 'c-33');
    await assert.rejects(engine.snapshots.restore(id, 'cold'), { code: 'INVALID_STATE' }, 'a disk-only snapshot needs the VM shut down');
    await engine.stop(id, { force: true });
    await engine.snapshots.restore(id, 'cold');
    await boot();
    await run('mkdir -p /mnt && mount /dev/vda /mnt && echo R2-$(cat /mnt/a)-$([ -e /mnt/c ] && echo hasC || echo noC)', 'R2-file-A-noC');
    await engine.stop(id, { force: true });
  });

  test('a memory snapshot restored into a shut-down VM starts it where the snapshot was', async () => {
    const status = await engine.snapshots.restore(id, 'S');
    assert.equal(status.state, 'running');
    if (status.pid) pids.add(status.pid);
    await run('echo R3-$V-$(cat /mnt/a)', 'R3-before-42-file-A');
    const log = await readFile(serial(), 'utf8');
    assert.equal(log.includes(guest.marker), false, `the guest went on from the snapshot without booting; its serial log:\n${log.slice(-1500)}`);
  });

  test('a new VM from a snapshot has the disks as they were; delete removes a snapshot from list and images', async () => {
    const clone = await engine.clone(id, 'from cold', undefined, await engine.snapshots.lookup(id, 'cold'));
    const cloneDisk = path.join(vmFolder(home, clone.config.id), clone.config.disks[0]!.file);
    const qemuImg = (await facts()).qemuImg!;
    assert.deepEqual(await imageSnapshots(qemuImg, cloneDisk), [], 'the copy carries no snapshots of its own');
    const after = await engine.snapshots.remove(id, 'cold');
    assert.deepEqual(after.snapshots.map((s) => s.name).includes('cold'), false);
    await engine.stop(id, { force: true });
    const config = (await engine.get(id)).config;
    const inImage = (await imageSnapshots(qemuImg, path.join(vmFolder(home, id), config.disks[0]!.file))).map((s) => s.tag);
    assert.deepEqual(inImage.sort(), after.snapshots.map((s) => s.tag).sort());
  });
});
