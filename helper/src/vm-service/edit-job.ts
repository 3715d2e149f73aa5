import type { JobProgress, VmEditRequest } from '@openutm/shared';
import { runJob, type ReportStep } from './job-progress';

export interface EditJobOptions {
  // The client's id for the job, from the vm.edit request.
  job?: string;
  vm: string;
  changes: VmEditRequest;
  emit: (progress: JobProgress) => void;
}

// Runs a vm.edit as a job when it may take a while or the client asked to follow it: importing a
// disk image copies it (qemu-img convert, minutes for a real OS image). A rename or a setting
// without a job id stays a plain request, so every client is not told of every small edit.
export function runEditJob<T>(opts: EditJobOptions, work: (report: ReportStep) => Promise<T>): Promise<T> {
  const imports = opts.changes.disks?.import?.length ?? 0;
  if (opts.job === undefined && imports === 0) return work(() => undefined);
  const label = imports > 0 ? 'Importing a disk image' : 'Changing the VM';
  return runJob({ job: opts.job, vm: opts.vm, kind: 'edit', label, emit: opts.emit }, work);
}
