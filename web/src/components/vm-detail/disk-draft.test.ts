import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyVmEdit, newVmConfig, type DiskConfig } from '@openutm/shared';
import { diskRowDraft, diskRowEdit, newDiskEdit, sizeMiB } from './disk-draft';

const disk: DiskConfig = { id: 'disk0', file: 'disk0.qcow2', format: 'qcow2', sizeMiB: 20 * 1024, interface: 'virtio', readOnly: false };

test('sizes: whole GiB show as GiB, others as MiB; typed sizes convert, junk is NaN', () => {
  assert.deepEqual(diskRowDraft(disk), { size: '20', unit: 'GiB', interface: 'virtio', readOnly: false });
  assert.deepEqual(diskRowDraft({ ...disk, sizeMiB: 1500 }).unit, 'MiB');
  assert.equal(sizeMiB('1.5', 'GiB'), 1536);
  assert.equal(sizeMiB(' 96 ', 'MiB'), 96);
  for (const bad of ['', '-1', '1e3', 'ten']) assert.ok(Number.isNaN(sizeMiB(bad, 'MiB')), bad);
});

test('a disk row sends only what changed, and refuses a shrink with the reason', () => {
  assert.deepEqual(diskRowEdit(disk, diskRowDraft(disk)), { edit: null, error: null });
  assert.deepEqual(diskRowEdit(disk, { size: '30', unit: 'GiB', interface: 'sata', readOnly: false }).edit, {
    disks: { change: { disk0: { sizeMiB: 30 * 1024, interface: 'sata' } } },
  });
  assert.deepEqual(diskRowEdit(disk, { ...diskRowDraft(disk), readOnly: true }).edit, { disks: { change: { disk0: { readOnly: true } } } });
  const shrink = diskRowEdit(disk, { ...diskRowDraft(disk), size: '10' });
  assert.equal(shrink.edit, null);
  assert.match(shrink.error ?? '', /can only grow/);
  assert.match(diskRowEdit(disk, { ...diskRowDraft(disk), size: 'x' }).error ?? '', /enter a size/);
});

test('the add form makes an edit shared applies, and shows the schema’s limit', () => {
  const { edit } = newDiskEdit({ size: '64', unit: 'MiB', format: 'raw', interface: 'nvme' });
  const config = newVmConfig({ name: 'a', disks: [] }, { id: 'abcdef123456', now: new Date() });
  assert.deepEqual(applyVmEdit(config, edit!, new Date()).disks, [{ id: 'disk0', file: 'disk0.img', format: 'raw', sizeMiB: 64, interface: 'nvme', readOnly: false }]);
  const tooBig = newDiskEdit({ size: '100000', unit: 'GiB', format: 'qcow2', interface: 'virtio' });
  assert.equal(tooBig.edit, null);
  assert.match(tooBig.error ?? '', /less than or equal/);
});
