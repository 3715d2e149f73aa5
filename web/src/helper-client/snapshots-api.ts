import type { SnapshotInfo, SnapshotList, VmStatus, VmSummary } from '@openutm/shared';
import { vmSummaryReceived } from '../stores/vm-store';
import { helperCall } from './helper-call';

// Named snapshots. Writing or loading a big VM's memory can take minutes.
const SNAPSHOT_TIMEOUT_MS = 60 * 60_000;
const call = helperCall;

export function snapshotList(id: string): Promise<SnapshotList> {
  return call('vm.snapshots', { id });
}

export function snapshotSave(id: string, name: string, notes: string, job: string): Promise<SnapshotInfo> {
  return call('vm.snapshotSave', { id, name, notes, job }, SNAPSHOT_TIMEOUT_MS);
}

export function snapshotRestore(id: string, name: string, job: string): Promise<VmStatus> {
  return call('vm.snapshotRestore', { id, name, job }, SNAPSHOT_TIMEOUT_MS);
}

export function snapshotDelete(id: string, name: string, job: string): Promise<SnapshotList> {
  return call('vm.snapshotDelete', { id, name, job }, SNAPSHOT_TIMEOUT_MS);
}

export async function snapshotClone(id: string, name: string, newName: string | undefined, job: string): Promise<VmSummary> {
  const vm = await call('vm.snapshotClone', newName === undefined ? { id, name, job } : { id, name, newName, job }, SNAPSHOT_TIMEOUT_MS);
  vmSummaryReceived(vm);
  return vm;
}

export async function convertDisks(id: string, job: string): Promise<VmSummary> {
  const vm = await call('vm.convertDisks', { id, job }, SNAPSHOT_TIMEOUT_MS);
  vmSummaryReceived(vm);
  return vm;
}
