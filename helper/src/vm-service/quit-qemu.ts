import { rm } from 'node:fs/promises';
import { isAlive, sendSignal } from '../qemu-process/process-control';
import type { RuntimePaths } from '../runtime/runtime-paths';
import type { VmSupervisor } from './vm-supervisor';
import { withTimeout } from './with-timeout';

// How long QEMU gets to answer quit (it flushes its disks) before it is killed.
const QUIT_GRACE_MS = 10_000;
// Retries: on Windows a QEMU that just exited may hold its log a moment longer (EBUSY/EPERM).
export const RM_RUNTIME_DIR = { recursive: true, force: true, maxRetries: 5, retryDelay: 100 } as const;

// Force stop: QEMU quits at once (disks flushed); SIGKILL if the monitor does not answer.
export async function forceQuit(sup: VmSupervisor): Promise<void> {
  sup.requestQuit();
  try {
    await withTimeout(sup.exited(), QUIT_GRACE_MS);
  } catch {
    if (sup.pid !== null) sendSignal(sup.pid, 'SIGKILL');
    await sup.exited();
  }
}

// Undoes a start that failed part way: QEMU killed if it runs, the VM stopped, its runtime files gone.
export async function rollbackStart(sup: VmSupervisor, pid: number | null, paths: RuntimePaths): Promise<void> {
  sup.markQuitExpected();
  sup.setWarnings([]);
  if (pid !== null && isAlive(pid)) sendSignal(pid, 'SIGKILL');
  if (sup.qmp) await sup.exited();
  else sup.dispatch({ type: 'monitor-closed', quitExpected: true });
  await rm(paths.dir, RM_RUNTIME_DIR);
}
