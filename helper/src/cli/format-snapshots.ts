import type { SnapshotList } from '@openutm/shared';

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

// The timeline as text: oldest first, the one the VM's state grew from marked, and why no
// snapshot can be taken (with the way out) when that is so.
export function formatSnapshots(vmName: string, list: SnapshotList): string {
  const lines = list.snapshots.map((s) => {
    const mark = s.tag === list.current ? '*' : ' ';
    const kind = s.memory ? `memory ${size(s.vmStateBytes)}` : 'disks only';
    const notes = s.notes === '' ? '' : ` — ${s.notes.split('\n')[0]}`;
    return `${mark} ${s.name}  ${s.createdAt}  ${kind}, disks +${size(s.diskBytes)}${notes}`;
  });
  if (lines.length === 0) lines.push(`${vmName} has no snapshots`);
  else lines.push('(* = the current state grew from this one)');
  if (list.blocker) lines.push(`cannot take a snapshot now: ${list.blocker.reason}${list.blocker.fix ? `; ${list.blocker.fix.text}` : ''}`);
  return lines.join('\n');
}
