import type { VmStatus, VmSummary } from '@openutm/shared';
import { createStore, useStore } from './create-store';

// The VM library as the helper last described it. Nothing here is guessed: every change comes
// from a helper answer (vm.list, vm.get, an action's result) or event (vm.state, vm.removed).
export interface VmLibraryState {
  // By VM id; replaced (not mutated) on every change.
  vms: ReadonlyMap<string, VmSummary>;
  // False until the first vm.list answer since the page loaded.
  loaded: boolean;
}

export const vmStore = createStore<VmLibraryState>({ vms: new Map(), loaded: false });

// A status wins over the one we hold unless it is older: answers and events can cross on the wire.
function fresher(held: VmStatus | undefined, incoming: VmStatus): VmStatus {
  if (held === undefined) return incoming;
  return Date.parse(incoming.since) >= Date.parse(held.since) ? incoming : held;
}

// vm.list: the whole library. VMs missing from it are gone.
export function vmsListed(list: readonly VmSummary[]): void {
  const held = vmStore.get().vms;
  const vms = new Map<string, VmSummary>();
  for (const vm of list) vms.set(vm.config.id, { config: vm.config, status: fresher(held.get(vm.config.id)?.status, vm.status) });
  vmStore.set({ vms, loaded: true });
}

// vm.get or vm.create: one VM's config and status.
export function vmSummaryReceived(vm: VmSummary): void {
  const { vms, loaded } = vmStore.get();
  const next = new Map(vms);
  next.set(vm.config.id, { config: vm.config, status: fresher(vms.get(vm.config.id)?.status, vm.status) });
  vmStore.set({ vms: next, loaded });
}

// vm.state or an action's result. False when the VM is not known yet (the caller fetches it).
export function vmStatusReceived(status: VmStatus): boolean {
  const { vms, loaded } = vmStore.get();
  const vm = vms.get(status.id);
  if (vm === undefined) return false;
  const newer = fresher(vm.status, status);
  if (newer === vm.status) return true;
  const next = new Map(vms);
  next.set(status.id, { config: vm.config, status: newer });
  vmStore.set({ vms: next, loaded });
  return true;
}

// vm.removed.
export function vmRemoved(id: string): void {
  const { vms, loaded } = vmStore.get();
  if (!vms.has(id)) return;
  const next = new Map(vms);
  next.delete(id);
  vmStore.set({ vms: next, loaded });
}

export function useVmLibrary(): VmLibraryState {
  return useStore(vmStore, (s) => s);
}
