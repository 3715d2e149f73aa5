import { rm } from 'node:fs/promises';
import type { CrashInfo } from '@openutm/shared';
import { waitForExit } from '../qemu-process/process-control';
import type { RuntimePaths } from '../runtime/runtime-paths';
import type { VmCompanions } from '../companions/vm-companions';
import { crashFromExit, saveCrash } from './crash-log';
import { RM_RUNTIME_DIR } from './quit-qemu';
import { removeSavedState } from './saved-state';
import type { SerialHubs } from './serial-hubs';
import { keepLastRunLogs, type VmLogFiles } from './vm-logs';

export interface ExitInfo {
  crashed: boolean;
  reason: string | null;
  pid: number | null;
}

export interface ExitCleanupDeps {
  serialHubs: SerialHubs;
  companions: VmCompanions;
  logFiles: VmLogFiles;
  vmFolder: string;
  // False once a saved state is spent (the guest it held ran on, then ended).
  keepSavedState: boolean;
}

// After QEMU is gone: its serial hub and companions ended, the crash (if it was one) recorded,
// its logs kept in the VM's folder and its runtime dir removed.
export async function cleanUpAfterExit(id: string, paths: RuntimePaths, info: ExitInfo, deps: ExitCleanupDeps): Promise<CrashInfo | null> {
  const { logsDir } = deps.logFiles;
  const hubGone = deps.serialHubs.finish(id, info.crashed ? 'the VM crashed' : 'the VM stopped');
  if (info.pid !== null) await waitForExit(info.pid);
  await deps.companions.stop(id, paths.dir, logsDir);
  await hubGone;
  if (!deps.keepSavedState) await removeSavedState(deps.vmFolder).catch(() => undefined);
  const crash = info.crashed ? await crashFromExit(info.reason ?? 'QEMU exited unexpectedly', paths) : null;
  if (crash) await saveCrash(logsDir, crash).catch(() => undefined);
  await keepLastRunLogs(deps.logFiles).catch(() => undefined);
  await rm(paths.dir, RM_RUNTIME_DIR);
  return crash;
}
