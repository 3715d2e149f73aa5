import type { SnapshotInfo, VmState } from '@openutm/shared';

function bytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.max(0, Math.round(n / 1024))} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

// The disk space a snapshot holds, as far as the helper knows it.
export function snapshotSize(s: Pick<SnapshotInfo, 'memory' | 'vmStateBytes' | 'diskBytes'>): string {
  return s.memory ? `${bytes(Math.max(s.vmStateBytes, s.diskBytes))} on disk` : `${bytes(s.diskBytes)} on disk`;
}

// What restoring loses, said before anyone confirms: the running state, or the disks' changes.
export function lossSentence(s: Pick<SnapshotInfo, 'name' | 'memory' | 'createdAt'>, state: VmState, currentName: string | null): string {
  const since = currentName === null ? 'since the last snapshot' : `since "${currentName}"`;
  const when = new Date(s.createdAt).toLocaleString();
  if (state === 'running' || state === 'paused') {
    return `Everything the VM has done ${since} is lost: what is in its memory now (open programs, unsaved work) and every change on its disks. It continues from "${s.name}" (${when}). Take a snapshot first to keep the current state.`;
  }
  if (s.memory) return `Every change on the VM's disks ${since} is lost. The VM then starts where "${s.name}" left it (${when}), with its programs open.`;
  return `Every change on the VM's disks ${since} is lost: they go back to "${s.name}" (${when}).`;
}
