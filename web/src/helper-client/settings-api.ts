import type { HostDirListing, VmCreateRequest, VmEditRequest, VmLogTail, VmSummary } from '@openutm/shared';
import { hostFactsReceived, tokensListed } from '../stores/host-store';
import { vmRemoved, vmSummaryReceived } from '../stores/vm-store';
import { helperCall } from './helper-call';

// The wizard's, the detail page's and the preferences' vocabulary towards the helper (the
// library's is in api.ts). Same rule: answers and events write the stores, nothing else.

// Creating a VM makes its disk images; cloning copies them.
const DISK_WORK_TIMEOUT_MS = 10 * 60_000;

// Every call goes through helperCall (it refuses what an older helper does not serve).
const call = helperCall;

// The host's CPUs, memory, accelerators, firmware and QEMU, for the wizard's defaults and warnings.
export async function hostDoctor(): Promise<void> {
  hostFactsReceived(await call('host.doctor', {}));
}

// One folder on the helper's computer; no path opens ~/Downloads (or ~).
export function hostBrowse(path: string | undefined, showHidden: boolean): Promise<HostDirListing> {
  return call('host.browse', path === undefined ? { showHidden } : { path, showHidden });
}

// A fresh id for a long request's job.progress events (vmCreate, vmClone, vmEdit); the caller picks it
// before asking, so it can show the job from its first event.
export function newJobId(): string {
  return crypto.randomUUID();
}

export async function vmCreate(request: VmCreateRequest, job: string = newJobId()): Promise<VmSummary> {
  const vm = await call('vm.create', { ...request, job }, DISK_WORK_TIMEOUT_MS);
  vmSummaryReceived(vm);
  return vm;
}

// Changes named sections; the helper refuses stop-only sections while the VM runs. With a job
// id, the disk work (an import's copy) comes as job.progress events under it (useJob); helpers
// before vm.edit.job drop the id and send none.
export async function vmEdit(id: string, changes: VmEditRequest, job?: string): Promise<VmSummary> {
  const vm = await call('vm.edit', job === undefined ? { id, changes } : { id, changes, job }, DISK_WORK_TIMEOUT_MS);
  vmSummaryReceived(vm);
  return vm;
}

// Its progress comes as job.progress events about the VM being cloned (useVmJob).
export async function vmClone(id: string, name?: string): Promise<VmSummary> {
  const vm = await call('vm.clone', name === undefined ? { id, job: newJobId() } : { id, name, job: newJobId() }, DISK_WORK_TIMEOUT_MS);
  vmSummaryReceived(vm);
  return vm;
}

// The VM's name typed back is the confirmation; the helper checks it too.
export async function vmDelete(id: string, confirmName: string): Promise<void> {
  await call('vm.delete', { id, confirmName });
  vmRemoved(id);
}

export function vmLog(id: string, lines = 200): Promise<VmLogTail> {
  return call('vm.log', { id, lines });
}

export async function authTokens(): Promise<void> {
  tokensListed(await call('auth.tokens', {}));
}

// Revokes a paired client for good, then re-reads the list.
export async function authRevoke(id: string): Promise<void> {
  await call('auth.revoke', { id });
  await authTokens();
}
