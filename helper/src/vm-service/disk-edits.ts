import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { OpenUtmError, type DiskConfig, type VmConfig } from '@openutm/shared';
import { cloneImage } from '../disk-images/clone-image';
import { createImage, inspectImage, resizeImage } from '../disk-images/qemu-img';
import type { ReportStep } from './job-progress';

const MiB = 1024 * 1024;

// The file work an edit implies, read from the configs before and after it.
export interface DiskFilePlan {
  // Disks whose image does not exist yet: copied from `source` when imported, else created empty.
  create: Array<DiskConfig & { source?: string }>;
  // Disks to grow to their new sizeMiB.
  grow: DiskConfig[];
  // Image files no disk or detached disk refers to any more.
  remove: string[];
}

// Pure: what to create, grow and delete so the VM folder matches `after`. applyVmEdit appends
// imported disks before empty ones, so the first new files pair with `importSources` in order.
export function planDiskFiles(before: VmConfig, after: VmConfig, importSources: readonly string[] = []): DiskFilePlan {
  const beforeFiles = new Map([...before.disks, ...before.detachedDisks].map((d) => [d.file, d.sizeMiB]));
  const afterFiles = new Set([...after.disks, ...after.detachedDisks].map((d) => d.file));
  return {
    create: after.disks.filter((d) => !beforeFiles.has(d.file)).map((d, i) => (i < importSources.length ? { ...d, source: importSources[i] } : d)),
    grow: after.disks.filter((d) => {
      const was = beforeFiles.get(d.file);
      return was !== undefined && d.sizeMiB > was;
    }),
    remove: [...beforeFiles.keys()].filter((f) => !afterFiles.has(f)),
  };
}

export function hasFileWork(plan: DiskFilePlan): boolean {
  return plan.create.length + plan.grow.length + plan.remove.length > 0;
}

export interface DiskFileTarget {
  qemuImg: string;
  folder: string;
}

// Makes the files match the new config around `commit` (which writes vm.json): new images are
// created and disks grown first; if anything fails before the commit has succeeded, the new
// images are deleted and the grown ones shrunk back to the bytes they had, so the folder and
// vm.json are as before. Files are deleted only after the commit: a crash in between leaves a
// stray file, never a config pointing at a missing disk.
// Progress is in MiB of the imported images (what qemu-img convert walks, its fraction each);
// creating, growing and saving are instant and count one step each.
export async function applyDiskFiles(plan: DiskFilePlan, target: DiskFileTarget, commit: () => Promise<void>, report: ReportStep = () => undefined): Promise<void> {
  const created: string[] = [];
  const grown: Array<{ disk: DiskConfig; bytes: number }> = [];
  const weight = (d: DiskConfig & { source?: string }) => (d.source === undefined ? 1 : Math.max(1, d.sizeMiB));
  const total = plan.create.reduce((sum, d) => sum + weight(d), 0) + plan.grow.length + 1;
  const imports = plan.create.filter((d) => d.source !== undefined).length;
  let done = 0;
  try {
    for (const disk of plan.create) {
      const file = path.join(target.folder, disk.file);
      const start = done;
      if (disk.source === undefined) {
        report({ done, total, label: `Creating ${disk.id} (${disk.sizeMiB} MiB)` });
        await createImage({ qemuImg: target.qemuImg, path: file, format: disk.format, sizeMiB: disk.sizeMiB });
      } else {
        const label = `Importing ${path.basename(disk.source)}${imports > 1 ? ` (${created.length + 1} of ${imports})` : ''}`;
        report({ done, total, label });
        // The copy flattens a backing chain, which may only reach into the source's own folder
        // (checkImports checked it).
        await cloneImage({
          source: disk.source,
          target: file,
          format: disk.format,
          qemuImg: target.qemuImg,
          libraryRoot: path.dirname(disk.source),
          onProgress: (fraction) => report({ done: start + Math.round(fraction * weight(disk)), total, label }),
        });
      }
      created.push(file);
      done = start + weight(disk);
    }
    for (const disk of plan.grow) {
      report({ done, total, label: `Growing ${disk.id} to ${disk.sizeMiB} MiB` });
      const bytes = await growDisk(target, disk);
      grown.push({ disk, bytes });
      done += 1;
    }
    report({ done, total, label: 'Saving the configuration' });
    await commit();
  } catch (e) {
    for (const { disk, bytes } of grown.reverse()) {
      await resizeImage({ qemuImg: target.qemuImg, path: path.join(target.folder, disk.file), format: disk.format, sizeBytes: bytes, shrink: true }).catch(() => undefined);
    }
    for (const file of created) await unlink(file).catch(() => undefined);
    throw e;
  }
  for (const file of plan.remove) {
    // Best effort: the config no longer names the file, and a file left behind loses nothing.
    await unlink(path.join(target.folder, file)).catch(() => undefined);
  }
}

// Grows one image to the config's size and returns its size before, in bytes. The image itself
// is asked (not the config) so a file bigger than its config says is never cut.
async function growDisk(target: DiskFileTarget, disk: DiskConfig): Promise<number> {
  const file = path.join(target.folder, disk.file);
  const { virtualSize } = await inspectImage({ qemuImg: target.qemuImg, path: file, format: disk.format });
  const wanted = disk.sizeMiB * MiB;
  if (virtualSize > wanted) {
    throw new OpenUtmError(
      'WOULD_LOSE_DATA',
      `disk ${disk.id}'s image is already ${Math.ceil(virtualSize / MiB)} MiB, more than the ${disk.sizeMiB} MiB asked for; shrinking would cut off data, so pick a size of at least ${Math.ceil(virtualSize / MiB)} MiB`,
      { disk: disk.id, imageBytes: virtualSize, requestedMiB: disk.sizeMiB },
    );
  }
  if (virtualSize < wanted) await resizeImage({ qemuImg: target.qemuImg, path: file, format: disk.format, sizeBytes: wanted });
  return virtualSize;
}
