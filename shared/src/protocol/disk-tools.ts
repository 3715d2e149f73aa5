import { z } from 'zod';
import { DiskConfig } from '../vm-config/schema';

// One attached disk's image as the host sees it: the size the guest sees (virtual) beside the
// bytes it really takes on the host's disk (allocated blocks), so people can tell when a
// compact is worth it. Read from qemu-img info, with -U while the VM runs (a moment stale then).
export const DiskUsage = z.object({
  id: DiskConfig.shape.id,
  file: DiskConfig.shape.file,
  format: DiskConfig.shape.format,
  virtualBytes: z.number().int().nonnegative(),
  // null when qemu-img could not say (some file systems on some hosts).
  actualBytes: z.number().int().nonnegative().nullable(),
  // The image's backing file as stored in its header; convert and compact refuse such images.
  backingFile: z.string().nullable(),
  // Internal qcow2 snapshots; qemu-img convert drops them, so convert and compact refuse.
  snapshots: z.number().int().nonnegative(),
  // Why convert and compact are refused for this image whatever the VM's state, or null.
  toolsBlockedBecause: z.string().nullable(),
});
export type DiskUsage = z.infer<typeof DiskUsage>;

// What a finished convert or compact did: the image's real size before and after.
export const DiskToolResult = z.object({
  id: z.string(),
  disk: DiskUsage,
  bytesBefore: z.number().int().nonnegative(),
  bytesAfter: z.number().int().nonnegative(),
});
export type DiskToolResult = z.infer<typeof DiskToolResult>;
