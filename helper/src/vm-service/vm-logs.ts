import { open } from 'node:fs/promises';
import path from 'node:path';
import type { VmLogTail } from '@openutm/shared';
import { writeFileAtomic } from '../vm-library/atomic-write';
import { tailLines } from './crash-log';

// The runtime dir (and QEMU's log in it) is removed when a VM stops, so the end of each log is
// kept in the bundle: the detail page can still show why the last run ended.
export const LAST_RUN_QEMU_LOG = 'last-run-qemu.log';
export const LAST_RUN_SERIAL_LOG = 'last-run-serial.log';
const KEPT_BYTES = 64 * 1024;

export interface VmLogFiles {
  qemuLog: string;
  serialLog: string;
  // The bundle's logs folder.
  logsDir: string;
}

// Copies the last 64 KiB of each runtime log into the bundle, replacing the previous run's.
export async function keepLastRunLogs(files: VmLogFiles): Promise<void> {
  await Promise.all([
    keepTail(files.qemuLog, path.join(files.logsDir, LAST_RUN_QEMU_LOG)),
    keepTail(files.serialLog, path.join(files.logsDir, LAST_RUN_SERIAL_LOG)),
  ]);
}

// The running VM's logs when it runs; else what the last run left in the bundle.
export async function readVmLogs(id: string, files: VmLogFiles, running: boolean, lines: number): Promise<VmLogTail> {
  const [qemuFile, serialFile] = running
    ? [files.qemuLog, files.serialLog]
    : [path.join(files.logsDir, LAST_RUN_QEMU_LOG), path.join(files.logsDir, LAST_RUN_SERIAL_LOG)];
  const [qemu, serial] = await Promise.all([tailLines(qemuFile, lines), tailLines(serialFile, lines)]);
  const source = running ? 'running' : qemu.length + serial.length > 0 ? 'last-run' : 'none';
  return { id, source, qemu, serial };
}

// The last 64 KiB of one log, kept in the bundle (companions' logs too: companions/).
export async function keepTail(from: string, to: string): Promise<void> {
  let handle;
  try {
    handle = await open(from, 'r');
  } catch {
    return;
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - KEPT_BYTES);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    await writeFileAtomic(to, buf);
  } finally {
    await handle.close();
  }
}
