// `npm run bench` (try mode part): Keep of 256 MiB of changes made during a try, against
// `qemu-img commit` of an identical overlay over an identical disk, same run, alternating.
// Target: Keep ≤ 1.10× the plain commit.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { DiskConfig } from '@openutm/shared';
import { createImage } from '../src/disk-images/qemu-img';
import { presetConfig } from '../src/qemu-args/testing/vm-fixtures';
import { SerialQueue } from '../src/vm-service/serial-queue';
import { TryModes } from '../src/vm-service/try-mode';
import { planTryRecord } from '../src/vm-service/try-record';
import { median, report } from './stats';

const run = promisify(execFile);
const ROUNDS = 7;
const CHANGED = '256M';
const disk: DiskConfig = { id: 'disk0', file: 'disk0.qcow2', format: 'qcow2', sizeMiB: 1024, interface: 'virtio', readOnly: false };
const root = await mkdtemp(path.join(os.tmpdir(), 'openutm-trybench-'));

// A VM folder with a 1 GiB disk, a try begun over it and 256 MiB written into the overlay (as
// a guest's writes would be, through QEMU's block layer).
async function tryWithChanges(name: string): Promise<{ folder: string; tries: TryModes; overlay: string }> {
  const folder = path.join(root, name);
  await mkdir(folder);
  await createImage({ qemuImg: 'qemu-img', path: path.join(folder, disk.file), format: 'qcow2', sizeMiB: disk.sizeMiB });
  await writeFile(path.join(folder, 'efi-vars.fd'), Buffer.alloc(0));
  const tries = new TryModes({ folder: () => folder, qemuImg: async () => 'qemu-img', isIdle: () => true, queue: new SerialQueue(), changed: () => undefined, emitJob: () => undefined });
  await tries.begin('vm', planTryRecord(presetConfig('linux-server', (c) => ({ ...c, disks: [disk] })), false, new Date()), 'qemu-img');
  const overlay = path.join(folder, 'try-disk0.qcow2');
  await run('qemu-io', ['-f', 'qcow2', '-c', `write -P 0x5a 64M ${CHANGED}`, overlay]);
  return { folder, tries, overlay };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  await run('sync');
  const t = performance.now();
  await work();
  return performance.now() - t;
}

const keep: number[] = [];
const commit: number[] = [];
try {
  for (let i = 0; i < ROUNDS; i++) {
    const a = await tryWithChanges(`keep-${i}`);
    const b = await tryWithChanges(`commit-${i}`);
    // Alternate which goes first, so the page cache and the disk's state favour neither.
    const runKeep = async () => keep.push(await timed(() => a.tries.keep('vm')));
    const runCommit = async () => commit.push(await timed(() => run('qemu-img', ['commit', '-f', 'qcow2', '--', b.overlay])));
    if (i % 2 === 0) await runKeep().then(runCommit);
    else await runCommit().then(runKeep);
    await rm(a.folder, { recursive: true, force: true });
    await rm(b.folder, { recursive: true, force: true });
  }
  const ratio = median(keep) / median(commit);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  report(`try Keep of ${CHANGED}iB of changes`, s(median(keep)), s(median(commit)), `≤ 1.10× qemu-img commit (${ratio.toFixed(2)}×)`, ratio <= 1.1);
} finally {
  await rm(root, { recursive: true, force: true });
}
