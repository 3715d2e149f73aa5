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

// How long a guest may ignore the ACPI power button before its agent is asked instead (at most
// half the time-out, so the agent's own shutdown has time too).
export const AGENT_SHUTDOWN_AFTER_MS = 20_000;

// Shut down: the ACPI power button; if the guest ignores it for a while and its agent answers,
// the agent's guest-shutdown; then a forced stop once timeoutMs passes with the guest still up.
// The status carries that moment so the UI can count down to it.
export async function shutDown(sup: VmSupervisor, qmp: QmpClient, timeoutMs: number, agentShutdown?: () => Promise<boolean>): Promise<void> {
  // A paused guest cannot see the power button.
  if (sup.state === 'paused') await qmp.execute('cont');
  const forceAt = Date.now() + timeoutMs;
  sup.beginShutDown(new Date(forceAt));
  await qmp.execute('system_powerdown');
  const acpiMs = agentShutdown ? Math.min(AGENT_SHUTDOWN_AFTER_MS, Math.floor(timeoutMs / 2)) : timeoutMs;
  if (await exitsWithin(sup, acpiMs)) return;
  if (agentShutdown) {
    await agentShutdown().catch(() => false);
    if (await exitsWithin(sup, forceAt - Date.now())) return;
  }
  await forceQuit(sup);
}

async function exitsWithin(sup: VmSupervisor, ms: number): Promise<boolean> {
  try {
    await withTimeout(sup.exited(), Math.max(0, ms));
    return true;
  } catch {
    return false;
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
