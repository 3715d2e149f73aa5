import { rm } from 'node:fs/promises';
import { isAlive, sendSignal } from '../qemu-process/process-control';
import type { QmpClient } from '../qmp/qmp-client';
import type { RuntimePaths } from '../runtime/runtime-paths';
import type { VmSupervisor } from './vm-supervisor';
import { withTimeout } from './with-timeout';

// How long QEMU gets to answer quit (it flushes its disks) before it is killed.
const QUIT_GRACE_MS = 10_000;
// Retries: on Windows a QEMU that just exited may hold its log a moment longer (EBUSY/EPERM).
export const RM_RUNTIME_DIR = { recursive: true, force: true, maxRetries: 5, retryDelay: 100 } as const;

// Shut down: the ACPI power button, then a forced stop once timeoutMs passes with the guest still
// up; the status carries that moment so the UI can count down to it.
export async function shutDown(sup: VmSupervisor, qmp: QmpClient, timeoutMs: number): Promise<void> {
  // A paused guest cannot see the power button.
  if (sup.state === 'paused') await qmp.execute('cont');
  sup.beginShutDown(new Date(Date.now() + timeoutMs));
  await qmp.execute('system_powerdown');
  try {
    await withTimeout(sup.exited(), timeoutMs);
  } catch {
    await forceQuit(sup);
  }
}

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
