import type { VmStatus } from '@openutm/shared';
import { vmStatusReceived } from '../stores/vm-store';
import { vmGet } from './api';
import { helperCall } from './helper-call';

// Try mode's vocabulary towards the helper: start on throwaway overlays, then keep or discard.
// Same rule as api.ts: only the helper's answers and events write the stores.

const START_TIMEOUT_MS = 60_000;
// A Keep writes every change of the try into the disks: as long as a disk copy can take.
const KEEP_TIMEOUT_MS = 6 * 3600_000;

function answered(status: VmStatus): VmStatus {
  if (!vmStatusReceived(status)) void vmGet(status.id).catch(() => undefined);
  return status;
}

export async function vmStartTry(id: string): Promise<VmStatus> {
  return answered(await helperCall('vm.start', { id, try: true }, START_TIMEOUT_MS));
}

// Its progress comes as job.progress of kind 'try-keep' about the VM (useVmJob).
export async function vmTryKeep(id: string): Promise<VmStatus> {
  return answered(await helperCall('vm.tryKeep', { id, job: crypto.randomUUID() }, KEEP_TIMEOUT_MS));
}

export async function vmTryDiscard(id: string): Promise<VmStatus> {
  return answered(await helperCall('vm.tryDiscard', { id }));
}
