import { existsSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { OpenUtmError, snapshotDisks, type VmConfig } from '@openutm/shared';
import { lastProgress } from '../disk-images/clone-image';
import { runQemuImg } from '../disk-images/qemu-img';
import { tempNameFor } from '../vm-library/atomic-write';
import type { ReportStep } from '../vm-service/job-progress';

// A free name for the qcow2 copy of a raw image: disk0.img → disk0.qcow2 (disk0-2.qcow2, … if taken).
export function qcow2NameFor(file: string, taken: ReadonlySet<string>): string {
  const stem = file.replace(/\.(img|raw|bin)$/i, '');
  for (let n = 1; ; n++) {
    const name = `${stem}${n === 1 ? '' : `-${n}`}.qcow2`;
    if (!taken.has(name)) return name;
  }
}

// Converts every writable raw disk of a shut-down VM to qcow2 (which can hold snapshots). The raw
// images stay in the VM folder as detached disks, so nothing is lost; the config switches to the
// copies only after all of them are written.
export async function convertRawDisks(config: VmConfig, folder: string, qemuImg: string, report: ReportStep): Promise<VmConfig> {
  const raw = snapshotDisks(config).filter((d) => d.format === 'raw');
  if (raw.length === 0) throw new OpenUtmError('CONFLICT', 'every writable disk of this VM is qcow2 already; nothing to convert');
  const taken = new Set([...config.disks.map((d) => d.file), ...config.detachedDisks.map((d) => d.file)]);
  const renamed = new Map<string, string>();
  const made: string[] = [];
  try {
    for (const [i, disk] of raw.entries()) {
      const name = qcow2NameFor(disk.file, taken);
      taken.add(name);
      const target = path.join(folder, name);
      if (existsSync(target)) throw new OpenUtmError('CONFLICT', `${target} already exists; OpenUTM never overwrites a disk image`);
      await (await open(target, 'wx', 0o600)).close();
      made.push(target);
      const temp = tempNameFor(target);
      const label = `Converting ${disk.id} to qcow2 (${i + 1} of ${raw.length})`;
      try {
        await runQemuImg(qemuImg, ['convert', '-p', '-f', 'raw', '-O', 'qcow2', '--', path.join(folder, disk.file), temp], {
          onStdout: (chunk) => {
            const f = lastProgress(chunk);
            if (f !== null) report({ done: Math.round((i + f) * 1000), total: raw.length * 1000, label });
          },
        });
        await rename(temp, target);
      } finally {
        await unlink(temp).catch(() => undefined);
      }
      renamed.set(disk.id, name);
    }
  } catch (e) {
    for (const f of made) await unlink(f).catch(() => undefined);
    throw e;
  }
  return {
    ...config,
    disks: config.disks.map((d) => (renamed.has(d.id) ? { ...d, file: renamed.get(d.id)!, format: 'qcow2' as const } : d)),
    detachedDisks: [...config.detachedDisks, ...raw.map((d) => ({ file: d.file, format: 'raw' as const, sizeMiB: d.sizeMiB }))],
  };
}
