import type { SnapshotIndex, StoredSnapshot } from './snapshot-store';

// One internal snapshot as a qcow2 image holds it.
export interface ImageSnapshot {
  tag: string;
  vmStateBytes: number;
}

// What is really there: a snapshot counts only when the metadata names it, every writable disk
// holds its tag, and (for one with memory) the memory state exists. Anything else is what a
// crash left half-made: tags to delete from the images, entries to drop from the metadata.
export interface Reconciled {
  complete: Array<StoredSnapshot & { vmStateBytes: number }>;
  // Per disk id, tags the images hold that no complete snapshot owns (only OpenUTM's own tags).
  leftoverTags: Map<string, string[]>;
  // Metadata entries whose snapshot is not (or no longer) in every image.
  staleEntries: string[];
}

const OWN_TAG = /^ou-[a-z0-9]{8,24}$/;

export function reconcile(index: SnapshotIndex, images: ReadonlyMap<string, readonly ImageSnapshot[]>): Reconciled {
  const disks = [...images.keys()];
  const complete: Reconciled['complete'] = [];
  const staleEntries: string[] = [];
  for (const entry of index.snapshots) {
    const found = disks.map((d) => images.get(d)!.find((s) => s.tag === entry.tag));
    const vmStateBytes = found.reduce((sum, s) => sum + (s?.vmStateBytes ?? 0), 0);
    const inEvery = disks.length > 0 && found.every((s) => s !== undefined);
    if (inEvery && (!entry.memory || vmStateBytes > 0)) complete.push({ ...entry, vmStateBytes });
    else staleEntries.push(entry.tag);
  }
  const owned = new Set(complete.map((s) => s.tag));
  const leftoverTags = new Map<string, string[]>();
  for (const disk of disks) {
    const tags = images.get(disk)!.map((s) => s.tag).filter((t) => OWN_TAG.test(t) && !owned.has(t));
    if (tags.length > 0) leftoverTags.set(disk, tags);
  }
  complete.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return { complete, leftoverTags, staleEntries };
}
