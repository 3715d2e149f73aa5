import type { VmSupervisor } from './vm-supervisor';
import { readSavedState, removeSavedState, removeUnfinishedSave } from './saved-state';

// What a new helper makes of a VM's saved state. A save the last helper did not finish leaves
// only a partial stream, removed here. A complete state counts only while no QEMU of the VM runs,
// except one in postmigrate: the QEMU that wrote it, whose quit the last helper did not live to
// send; it is ended now. A state beside a QEMU that runs on is stale (that QEMU resumed from it
// and the disks moved on since), so it is removed before anyone could resume it.
export async function adoptSavedState(sup: VmSupervisor, vmFolder: string, qmpStatus: string | null): Promise<void> {
  await removeUnfinishedSave(vmFolder);
  if ((await readSavedState(vmFolder)) === null) return;
  if (qmpStatus === null) {
    sup.dispatch({ type: 'saved-state', present: true });
  } else if (qmpStatus === 'postmigrate') {
    sup.dispatch({ type: 'suspend-requested' });
    sup.markQuitExpected();
    sup.qmp?.execute('quit').catch(() => undefined);
  } else {
    await removeSavedState(vmFolder);
  }
}
