import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SnapshotInfo, SnapshotList } from '@openutm/shared';
import { formatSnapshots } from './format-snapshots';

const snap = (tag: string, name: string, memory: boolean, notes = ''): SnapshotInfo => ({
  tag,
  name,
  notes,
  createdAt: '2025-03-01T10:00:00.000Z',
  memory,
  thumbnail: null,
  vmStateBytes: memory ? 3 * 1024 * 1024 : 0,
  diskBytes: 512 * 1024,
});

const cases: Array<{ name: string; list: SnapshotList; has: string[]; lacks: string[] }> = [
  { name: 'none', list: { snapshots: [], current: null, blocker: null }, has: ['Deb has no snapshots'], lacks: ['*'] },
  {
    name: 'current marked, memory sizes, first line of notes',
    list: { snapshots: [snap('ou-aaaaaaaa', 'clean', false), snap('ou-bbbbbbbb', 'work', true, 'line one\nline two')], current: 'ou-bbbbbbbb', blocker: null },
    has: ['  clean  2025-03-01T10:00:00.000Z  disks only, disks +512 KiB', '* work  2025-03-01T10:00:00.000Z  memory 3.0 MiB, disks +512 KiB — line one'],
    lacks: ['line two', 'cannot take'],
  },
  {
    name: 'a blocker with its way out',
    list: { snapshots: [], current: null, blocker: { reason: 'disk0 is a raw disk image, which cannot hold snapshots', fix: { kind: 'convert-disks', text: 'convert disk0 to qcow2', disks: ['disk0'] } } },
    has: ['cannot take a snapshot now: disk0 is a raw disk image, which cannot hold snapshots; convert disk0 to qcow2'],
    lacks: [],
  },
];

for (const c of cases) {
  test(`formatSnapshots: ${c.name}`, () => {
    const text = formatSnapshots('Deb', c.list);
    for (const s of c.has) assert.ok(text.includes(s), `has ${JSON.stringify(s)} in:\n${text}`);
    for (const s of c.lacks) assert.ok(!text.includes(s), `lacks ${JSON.stringify(s)} in:\n${text}`);
  });
}
