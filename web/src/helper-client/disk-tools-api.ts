import type { DiskToolResult, DiskUsage } from '@openutm/shared';
import { vmGet } from './api';
import { helperCall } from './helper-call';

// A convert or compact rewrites a whole image: minutes for a big one on a slow disk.
const DISK_JOB_TIMEOUT_MS = 6 * 60 * 60_000;

// Each attached disk's virtual size beside its real size on the host.
export function vmDisks(id: string): Promise<DiskUsage[]> {
  return helperCall('vm.disks', { id });
}

// Both run as a job (job.progress under `job`, cancellable with jobCancel); the VM's config is
// read again afterwards, since a convert names a new image file in it.
export async function vmDiskConvert(id: string, disk: string, format: 'qcow2' | 'raw', job: string): Promise<DiskToolResult> {
  const result = await helperCall('vm.diskConvert', { id, disk, format, job }, DISK_JOB_TIMEOUT_MS);
  await vmGet(id).catch(() => undefined);
  return result;
}

export async function vmDiskCompact(id: string, disk: string, job: string): Promise<DiskToolResult> {
  const result = await helperCall('vm.diskCompact', { id, disk, job }, DISK_JOB_TIMEOUT_MS);
  await vmGet(id).catch(() => undefined);
  return result;
}

// Asks the helper to stop a disk job; its request then fails with CANCELLED.
export async function jobCancel(job: string): Promise<void> {
  await helperCall('job.cancel', { job });
}
