import { readFile } from 'node:fs/promises';
import type { ReportStep } from '../vm-service/job-progress';
import { allocatedBytes } from './image-snapshots';

// How far a snapshot job is, watched from outside QEMU (its monitor says nothing until the job
// ends): on Linux the bytes QEMU has written or read (/proc/<pid>/io), elsewhere the growth of
// the disk images. `total` is an estimate (the guest's RAM, the memory state's size), so done is
// capped below it until the job ends.
export async function watchSnapshotJob(opts: {
  pid: number | null;
  direction: 'write' | 'read';
  files: readonly string[];
  total: number;
  label: string;
  report: ReportStep;
}): Promise<() => void> {
  const total = Math.max(1, opts.total);
  const key = opts.direction === 'write' ? 'wchar' : 'rchar';
  let base: number | null = null;
  let stopped = false;
  const sample = async (): Promise<number | null> => {
    if (opts.pid !== null && process.platform === 'linux') {
      const text = await readFile(`/proc/${opts.pid}/io`, 'utf8').catch(() => null);
      const m = text === null ? null : new RegExp(`^${key}: (\\d+)$`, 'm').exec(text);
      if (m) return Number(m[1]);
    }
    return opts.direction === 'write' ? allocatedBytes(opts.files) : null;
  };
  const tick = async () => {
    const now = await sample();
    if (stopped || now === null) return;
    base ??= now;
    opts.report({ done: Math.min(Math.floor(total * 0.99), now - base), total, label: opts.label });
  };
  // The starting point is read before the job starts, so its first bytes count.
  await tick();
  const timer = setInterval(() => void tick(), 250);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
