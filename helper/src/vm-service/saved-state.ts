import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { Accelerator, OpenUtmError, type VmStatus } from '@openutm/shared';
import { writeFileAtomic } from '../vm-library/atomic-write';
import type { VmSupervisor } from './vm-supervisor';

// A suspended VM's saved state, in its own folder so it survives a helper restart and a host
// reboot. The state file is QEMU's migration stream; its presence alone means "suspended" (it
// appears by rename only once complete and synced). The facts file says what QEMU must look
// like to take it back: the same machine version and accelerator.
export const STATE_FILE = 'suspended.state';
export const PARTIAL_STATE_FILE = 'suspended.state.partial';
export const STATE_FACTS_FILE = 'suspended.json';

export const SavedStateFacts = z.object({
  savedAt: z.string().datetime(),
  // The QEMU that wrote the stream, for the error when a newer one cannot read it.
  qemuVersion: z.string(),
  // The versioned machine QEMU resolved its alias to (pc-q35-7.2): a newer QEMU's q35 is a
  // different board, while its pc-q35-7.2 reads 7.2's streams.
  machine: z.string().regex(/^[A-Za-z0-9._-]+$/).nullable(),
  accelerator: Accelerator.nullable(),
  // Whether the guest ran when saved (a VM paused by its user comes back paused).
  running: z.boolean(),
  bytes: z.number().int().min(0),
});
export type SavedStateFacts = z.infer<typeof SavedStateFacts>;

export interface SavedState {
  file: string;
  bytes: number;
  facts: SavedStateFacts | null;
}

export function savedStatePaths(vmFolder: string): { state: string; partial: string; facts: string } {
  return {
    state: path.join(vmFolder, STATE_FILE),
    partial: path.join(vmFolder, PARTIAL_STATE_FILE),
    facts: path.join(vmFolder, STATE_FACTS_FILE),
  };
}

// The saved state of a VM, or null when it has none. A facts file that is missing or unreadable
// does not hide the state: resuming may still work with the machine as configured.
export async function readSavedState(vmFolder: string): Promise<SavedState | null> {
  const p = savedStatePaths(vmFolder);
  const info = await stat(p.state).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw new OpenUtmError('IO_ERROR', `cannot read the saved state ${p.state}: ${e.message}`);
  });
  if (!info) return null;
  const facts = await readFile(p.facts, 'utf8')
    .then((text) => SavedStateFacts.safeParse(JSON.parse(text)).data ?? null)
    .catch(() => null);
  return { file: p.state, bytes: info.size, facts };
}

export async function writeStateFacts(vmFolder: string, facts: SavedStateFacts): Promise<void> {
  await writeFileAtomic(savedStatePaths(vmFolder).facts, `${JSON.stringify(facts, null, 2)}\n`);
}

// Removes the saved state (after a resume, or when discarded): the state file first, so a crash
// half way leaves at most a facts file, which means nothing without it.
export async function removeSavedState(vmFolder: string): Promise<void> {
  const p = savedStatePaths(vmFolder);
  try {
    await rm(p.state, { force: true });
    await rm(p.facts, { force: true });
    await rm(p.partial, { force: true });
  } catch (e) {
    throw new OpenUtmError('IO_ERROR', `cannot remove the saved state in ${vmFolder}: ${(e as Error).message}; remove ${STATE_FILE} there by hand`);
  }
}

// What a save that never finished left (the helper died during it): only the partial stream.
export async function removeUnfinishedSave(vmFolder: string): Promise<void> {
  const p = savedStatePaths(vmFolder);
  await rm(p.partial, { force: true }).catch(() => undefined);
  if ((await stat(p.state).catch(() => null)) === null) await rm(p.facts, { force: true }).catch(() => undefined);
}

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

// Throws a suspended VM's saved state away: it is stopped, and boots afresh at the next start.
export async function discardSavedState(sup: VmSupervisor, vmFolder: string): Promise<VmStatus> {
  await removeSavedState(vmFolder);
  sup.dispatch({ type: 'saved-state', present: false });
  return sup.status();
}
