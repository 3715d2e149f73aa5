import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconcile, type ImageSnapshot } from './snapshot-reconcile';
import type { SnapshotIndex, StoredSnapshot } from './snapshot-store';

function entry(tag: string, memory: boolean, createdAt = '2025-01-01T00:00:00.000Z'): StoredSnapshot {
  return { tag, name: tag, notes: '', createdAt, memory, diskBytes: 0, thumbnail: false, efiVars: false };
}
const index = (...snapshots: StoredSnapshot[]): SnapshotIndex => ({ version: 1, current: null, snapshots });
const img = (...s: Array<[string, number]>): ImageSnapshot[] => s.map(([tag, vmStateBytes]) => ({ tag, vmStateBytes }));

const cases: Array<{ name: string; index: SnapshotIndex; images: Array<[string, ImageSnapshot[]]>; complete: string[]; leftovers: Array<[string, string[]]>; stale: string[] }> = [
  { name: 'nothing anywhere', index: index(), images: [['disk0', []]], complete: [], leftovers: [], stale: [] },
  {
    name: 'a complete disk-only snapshot on two disks',
    index: index(entry('ou-aaaaaaaa', false)),
    images: [['disk0', img(['ou-aaaaaaaa', 0])], ['disk1', img(['ou-aaaaaaaa', 0])]],
    complete: ['ou-aaaaaaaa'],
    leftovers: [],
    stale: [],
  },
  {
    name: 'a crash between the images and the metadata: the tag is a leftover, nothing listed',
    index: index(),
    images: [['disk0', img(['ou-bbbbbbbb', 5000])]],
    complete: [],
    leftovers: [['disk0', ['ou-bbbbbbbb']]],
    stale: [],
  },
  {
    name: 'one disk of two got the tag: stale entry and a leftover on that disk',
    index: index(entry('ou-cccccccc', false)),
    images: [['disk0', img(['ou-cccccccc', 0])], ['disk1', []]],
    complete: [],
    leftovers: [['disk0', ['ou-cccccccc']]],
    stale: ['ou-cccccccc'],
  },
  {
    name: 'a memory snapshot without memory state is not complete',
    index: index(entry('ou-dddddddd', true)),
    images: [['disk0', img(['ou-dddddddd', 0])]],
    complete: [],
    leftovers: [['disk0', ['ou-dddddddd']]],
    stale: ['ou-dddddddd'],
  },
  {
    name: 'snapshots made elsewhere (qemu-img by hand) are left alone',
    index: index(),
    images: [['disk0', img(['my-own', 0])]],
    complete: [],
    leftovers: [],
    stale: [],
  },
  {
    name: 'listed oldest first whatever the metadata order',
    index: index(entry('ou-22222222', true, '2025-02-01T00:00:00.000Z'), entry('ou-11111111', false, '2025-01-01T00:00:00.000Z')),
    images: [['disk0', img(['ou-11111111', 0], ['ou-22222222', 7])]],
    complete: ['ou-11111111', 'ou-22222222'],
    leftovers: [],
    stale: [],
  },
  { name: 'no disks: nothing is complete', index: index(entry('ou-eeeeeeee', false)), images: [], complete: [], leftovers: [], stale: ['ou-eeeeeeee'] },
];

for (const c of cases) {
  test(`reconcile: ${c.name}`, () => {
    const r = reconcile(c.index, new Map(c.images));
    assert.deepEqual(r.complete.map((s) => s.tag), c.complete);
    assert.deepEqual([...r.leftoverTags.entries()], c.leftovers);
    assert.deepEqual(r.staleEntries, c.stale);
  });
}

test('reconcile sums the memory state over the disks', () => {
  const r = reconcile(index(entry('ou-ffffffff', true)), new Map([['disk0', img(['ou-ffffffff', 100])], ['disk1', img(['ou-ffffffff', 0])]]));
  assert.equal(r.complete[0]!.vmStateBytes, 100);
});
