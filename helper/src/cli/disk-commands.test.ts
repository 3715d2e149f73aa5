import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DiskUsage } from '@openutm/shared';
import { formatDiskResult, formatDiskUsage } from './disk-commands';

const MiB = 1024 * 1024;
const disk: DiskUsage = { id: 'disk0', file: 'disk0.qcow2', format: 'qcow2', virtualBytes: 8192 * MiB, actualBytes: 300 * MiB, backingFile: null, snapshots: 0, toolsBlockedBecause: null };

test('disk list: one row per disk, virtual beside on-host size, and why tools are refused', () => {
  const cases: Array<[DiskUsage[], RegExp[]]> = [
    [[], [/^No disks\.$/]],
    [[disk], [/^DISK +FILE +FORMAT +VIRTUAL +ON HOST +NOTE$/m, /^disk0 +disk0\.qcow2 +qcow2 +8 GiB +300 MiB$/m]],
    [[{ ...disk, actualBytes: null }], [/^disk0 .* 8 GiB +\?$/m]],
    [[{ ...disk, snapshots: 1, toolsBlockedBecause: 'it holds 1 snapshot' }], [/cannot convert or compact: it holds 1 snapshot$/m]],
  ];
  for (const [disks, patterns] of cases) for (const p of patterns) assert.match(formatDiskUsage(disks), p);
});

test('a finished job says the new file, format and sizes before and after', () => {
  const text = formatDiskResult('compacted', { id: 'vm', disk: { ...disk, actualBytes: 10 * MiB }, bytesBefore: 300 * MiB, bytesAfter: 10 * MiB });
  assert.equal(text, 'compacted disk0: now disk0.qcow2 (qcow2), 10 MiB on the host (was 300 MiB), 8 GiB virtual');
});
