import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diskEditsFromFlags, importFromFlag, removableEditsFromFlags } from './drive-flags';

test('--import-disk takes options off the end, so the path may hold commas; the format follows the extension', () => {
  assert.deepEqual(importFromFlag('/img/a, b.qcow2', '/cwd'), { path: '/img/a, b.qcow2', format: 'qcow2' });
  assert.deepEqual(importFromFlag('/img/a,raw,x.img,nvme', '/cwd'), { path: '/img/a,raw,x.img', format: 'raw', interface: 'nvme' });
  assert.deepEqual(importFromFlag('disk ü.bin,qcow2,sata', '/home/me'), { path: '/home/me/disk ü.bin', format: 'qcow2', interface: 'sata' });
  assert.deepEqual(importFromFlag('../x.img', '/home/me/vms'), { path: '/home/me/x.img', format: 'raw' });
});

test('disk flags make one edit; removing keeps the file unless delete is said', () => {
  assert.deepEqual(
    diskEditsFromFlags({ 'add-disk': ['20G', '512M,raw,nvme'], 'resize-disk': ['disk0=40G'], 'disk-interface': ['disk0=sata'], 'remove-disk': ['disk1', 'disk2,delete'] }, '/'),
    {
      remove: { disk1: { file: 'keep' }, disk2: { file: 'delete' } },
      change: { disk0: { sizeMiB: 40 * 1024, interface: 'sata' } },
      add: [{ sizeMiB: 20 * 1024 }, { sizeMiB: 512, format: 'raw', interface: 'nvme' }],
    },
  );
  assert.equal(diskEditsFromFlags({}, '/'), undefined);
  assert.throws(() => diskEditsFromFlags({ 'remove-disk': ['disk1,shred'] }, '/'), { code: 'BAD_REQUEST' });
  assert.throws(() => diskEditsFromFlags({ 'resize-disk': ['disk1'] }, '/'), /ID=SIZE/);
  assert.throws(() => diskEditsFromFlags({ 'disk-readonly': ['disk1=yes'] }, '/'), /on or ID=off/);
  assert.deepEqual(removableEditsFromFlags({ 'add-cd': ['usb'], 'cd-interface': ['cd0=ide'], 'remove-cd': ['cd1'] }), {
    remove: ['cd1'],
    change: { cd0: { interface: 'ide' } },
    add: [{ interface: 'usb' }],
  });
  assert.throws(() => removableEditsFromFlags({ 'add-cd': ['floppy'] }), /CD drive interface/);
});
