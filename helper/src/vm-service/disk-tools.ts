import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { OpenUtmError, whyNot, type DiskConfig, type DiskToolResult, type DiskUsage, type HostFacts, type JobProgress, type VmConfig, type VmState } from '@openutm/shared';
import { convertToTemp, diskRateFromEnv } from '../disk-images/convert-image';
import { assertDiskFileNotLink } from '../disk-images/disk-file-check';
import { freeBytes, measureConversion, spaceShortfall } from '../disk-images/disk-space';
import type { ImageFormat, InspectedImage } from '../disk-images/image-info';
import { inspectImage } from '../disk-images/qemu-img';
import { renameReplacing, syncDirectory } from '../vm-library/atomic-write';
import { vmFolder } from '../vm-library/library-paths';
import type { VmLibrary } from '../vm-library/vm-library';
import { convertedFileName, toolsBlockedBecause } from './disk-tool-checks';
import { newJobId, runJob, type ReportStep } from './job-progress';
import type { SerialQueue } from './serial-queue';

export interface DiskToolsHooks {
  library: VmLibrary;
  hostFacts: () => Promise<HostFacts>;
  // The engine's per-VM queue: a start, edit, clone or delete of the VM waits for the rewrite.
  queue: SerialQueue;
  stateOf(id: string): VmState;
  emitJob(progress: JobProgress): void;
  changed(id: string): void;
}

// A rewrite decided on and checked, ready to run.
interface Rewrite {
  id: string;
  config: VmConfig;
  disk: DiskConfig;
  folder: string;
  qemuImg: string;
  format: ImageFormat;
  // The name the new image takes: another name for a convert, the same for a compact.
  file: string;
  bytesBefore: number;
}

// Convert (qcow2 ↔ raw) and compact of a shut-down VM's disk images, as cancellable jobs.
// Both write a new image beside the old one with qemu-img convert, then swap it in with a
// rename, so at every instant the folder holds a complete image that vm.json names: a failure,
// a cancel or a killed helper leaves the VM as it was (a temp file at worst, swept up when
// the library is next opened).
export class DiskTools {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly hooks: DiskToolsHooks) {}

  // Every attached disk's sizes; a running VM's images are read with -U (shared).
  async usage(id: string): Promise<DiskUsage[]> {
    const config = await this.hooks.library.read(id);
    const qemuImg = await this.qemuImg('read disk sizes');
    const forceShare = whyNot(this.hooks.stateOf(id), 'edit') !== null;
    const folder = vmFolder(this.hooks.library.root, id);
    return Promise.all(
      config.disks.map(async (disk) => {
        try {
          return usageOf(disk, await this.inspect(qemuImg, folder, disk, forceShare));
        } catch (e) {
          // One unreadable image (missing, locked by a stranger) must not hide the others.
          const why = e instanceof Error ? e.message : String(e);
          return { id: disk.id, file: disk.file, format: disk.format, virtualBytes: disk.sizeMiB * 1024 * 1024, actualBytes: null, backingFile: null, snapshots: 0, toolsBlockedBecause: why };
        }
      }),
    );
  }

  convert(id: string, diskId: string, format: ImageFormat, job?: string): Promise<DiskToolResult> {
    return this.rewrite(id, diskId, job, async (config, disk, folder) => {
      if (disk.format === format) throw new OpenUtmError('CONFLICT', `disk ${disk.id} is already ${format}; pick the other format (qcow2 or raw)`);
      const taken = new Set([...config.disks.map((d) => d.file), ...config.detachedDisks.map((d) => d.file), ...(await readdir(folder))]);
      return { format, file: convertedFileName(disk.id, format, taken), what: `converting ${disk.id} to ${format}`, label: `Converting ${disk.id} to ${format}` };
    });
  }

  compact(id: string, diskId: string, job?: string): Promise<DiskToolResult> {
    return this.rewrite(id, diskId, job, async (_config, disk) => ({ format: disk.format, file: disk.file, what: `compacting ${disk.id}`, label: `Compacting ${disk.id}` }));
  }

  // Stops a convert or compact; its request fails with CANCELLED and the VM stays as it was.
  cancel(job: string): { job: string } {
    const controller = this.running.get(job);
    if (!controller) throw new OpenUtmError('NOT_FOUND', `no disk job ${job} is running (it may have finished already)`);
    controller.abort();
    return { job };
  }

  private async rewrite(
    id: string,
    diskId: string,
    jobId: string | undefined,
    decide: (config: VmConfig, disk: DiskConfig, folder: string) => Promise<{ format: ImageFormat; file: string; what: string; label: string }>,
  ): Promise<DiskToolResult> {
    const job = jobId ?? newJobId('disk');
    if (this.running.has(job)) throw new OpenUtmError('CONFLICT', `a job named ${job} is already running; use a new job id`);
    const controller = new AbortController();
    this.running.set(job, controller);
    try {
      const result = await this.hooks.queue.run(id, async () => {
        if (controller.signal.aborted) throw new OpenUtmError('CANCELLED', 'the disk job was cancelled before it started; nothing changed');
        const why = whyNot(this.hooks.stateOf(id), 'edit');
        if (why !== null) throw new OpenUtmError('INVALID_STATE', `${why.replace(/\.$/, '')}; shut the VM down to convert or compact its disks`);
        const config = await this.hooks.library.read(id);
        const disk = config.disks.find((d) => d.id === diskId);
        if (!disk) throw new OpenUtmError('NOT_FOUND', `${config.name} has no disk ${diskId}; its disks are ${config.disks.map((d) => d.id).join(', ') || '(none)'}`);
        const folder = vmFolder(this.hooks.library.root, id);
        const plan = await decide(config, disk, folder);
        const rewrite = await this.check({ id, config, disk, folder, qemuImg: await this.qemuImg('convert or compact disks'), format: plan.format, file: plan.file, bytesBefore: 0 }, plan.what);
        return runJob({ job, vm: id, kind: 'disk', label: plan.label, emit: this.hooks.emitJob }, (report) => this.run(rewrite, plan.label, controller.signal, report));
      });
      this.hooks.changed(id);
      return result;
    } finally {
      this.running.delete(job);
    }
  }

  // Refuses images a rewrite would damage, and starts nothing without the room for the new image.
  private async check(r: Rewrite, what: string): Promise<Rewrite> {
    const source = path.join(r.folder, r.disk.file);
    await assertDiskFileNotLink(source);
    const info = await this.inspect(r.qemuImg, r.folder, r.disk, false);
    const blocked = toolsBlockedBecause(info);
    if (blocked !== null) throw new OpenUtmError('CONFLICT', `cannot rewrite disk ${r.disk.id}: ${blocked}`, { disk: r.disk.id });
    const needed = await measureConversion(r.qemuImg, source, r.disk.format, r.format);
    const shortfall = spaceShortfall({ needed, free: await freeBytes(r.folder), what: what[0]!.toUpperCase() + what.slice(1), where: r.folder });
    if (shortfall) throw shortfall;
    return { ...r, bytesBefore: await allocatedBytes(info, source) };
  }

  private async run(r: Rewrite, label: string, signal: AbortSignal, report: ReportStep): Promise<DiskToolResult> {
    const source = path.join(r.folder, r.disk.file);
    const target = path.join(r.folder, r.file);
    const total = 1000;
    const temp = await convertToTemp({
      qemuImg: r.qemuImg,
      source,
      sourceFormat: r.disk.format,
      target,
      targetFormat: r.format,
      signal,
      rateLimit: diskRateFromEnv(),
      onProgress: (f) => report({ done: Math.round(f * total * 0.99), total, label }),
    });
    report({ done: Math.round(total * 0.99), total, label: 'Swapping in the new image' });
    // Past this point a cancel no longer applies: the swap is quick and must not stop halfway.
    await renameOrDrop(temp, target);
    await syncDirectory(r.folder);
    // A compact keeps the name, so vm.json stays as it is; a convert names the new file in it.
    if (r.file !== r.disk.file) {
      const disks = r.config.disks.map((d) => (d.id === r.disk.id ? { ...d, file: r.file, format: r.format } : d));
      try {
        await this.hooks.library.write({ ...r.config, disks, updatedAt: new Date().toISOString() });
      } catch (e) {
        await unlink(target).catch(() => undefined);
        throw e;
      }
      // vm.json names the new image now; the old one is only in the way (left if this fails).
      await unlink(source).catch(() => undefined);
    }
    const disk = { ...r.disk, file: r.file, format: r.format };
    const usage = usageOf(disk, await this.inspect(r.qemuImg, r.folder, disk, false));
    return { id: r.id, disk: usage, bytesBefore: r.bytesBefore, bytesAfter: usage.actualBytes ?? (await allocatedBytes(null, target)) };
  }

  private inspect(qemuImg: string, folder: string, disk: DiskConfig, forceShare: boolean): Promise<InspectedImage> {
    return inspectImage({ qemuImg, path: path.join(folder, disk.file), format: disk.format, forceShare });
  }

  private async qemuImg(what: string): Promise<string> {
    const { qemuImg } = await this.hooks.hostFacts();
    if (!qemuImg) throw new OpenUtmError('QEMU_NOT_FOUND', `qemu-img is needed to ${what} and was not found; \`openutm doctor\` says how to install it`);
    return qemuImg;
  }
}

function usageOf(disk: DiskConfig, info: InspectedImage): DiskUsage {
  return {
    id: disk.id,
    file: disk.file,
    format: disk.format,
    virtualBytes: info.virtualSize,
    actualBytes: info.actualSize,
    backingFile: info.backingFilename,
    snapshots: info.snapshots,
    toolsBlockedBecause: toolsBlockedBecause(info),
  };
}

// The bytes a file takes on the host: qemu-img's figure, else the file system's blocks.
async function allocatedBytes(info: InspectedImage | null, file: string): Promise<number> {
  if (info?.actualSize != null) return info.actualSize;
  const s = await stat(file);
  return s.blocks * 512;
}

async function renameOrDrop(temp: string, target: string): Promise<void> {
  try {
    await renameReplacing(temp, target);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    throw new OpenUtmError('IO_ERROR', `could not put the new image in place as ${target}: ${err.message}; the old image is unchanged`, { errno: err.code });
  }
}
