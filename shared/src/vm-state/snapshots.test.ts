import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DiskConfig, VmState } from './../index';
import { restoreWhyNot, snapshotBlocker } from './snapshots';

const disk = (id: string, format: 'qcow2' | 'raw', readOnly = false): DiskConfig => ({ id, file: `${id}.${format}`, format, sizeMiB: 64, interface: 'virtio', readOnly });

const cases: Array<{ name: string; disks: DiskConfig[]; state: VmState; blockers?: string[]; want: null | { fix: string | null; reason: RegExp } }> = [
  { name: 'qcow2, stopped', disks: [disk('disk0', 'qcow2')], state: 'stopped', want: null },
  { name: 'qcow2, running', disks: [disk('disk0', 'qcow2')], state: 'running', want: null },
  { name: 'qcow2, crashed', disks: [disk('disk0', 'qcow2')], state: 'crashed', want: null },
  { name: 'starting', disks: [disk('disk0', 'qcow2')], state: 'starting', want: { fix: 'wait', reason: /starting/ } },
  { name: 'stopping', disks: [disk('disk0', 'qcow2')], state: 'stopping', want: { fix: 'wait', reason: /stopping/ } },
  { name: 'no disks', disks: [], state: 'stopped', want: { fix: 'add-disk', reason: /no writable disk/ } },
  { name: 'only a read-only disk', disks: [disk('disk0', 'raw', true)], state: 'running', want: { fix: 'add-disk', reason: /no writable disk/ } },
  { name: 'a raw disk', disks: [disk('disk0', 'qcow2'), disk('disk1', 'raw')], state: 'stopped', want: { fix: 'convert-disks', reason: /^disk1 is a raw disk image/ } },
  { name: 'two raw disks', disks: [disk('disk0', 'raw'), disk('disk1', 'raw')], state: 'running', want: { fix: 'convert-disks', reason: /^disk0, disk1 are raw disk images/ } },
  { name: 'a read-only raw disk is fine', disks: [disk('disk0', 'qcow2'), disk('disk1', 'raw', true)], state: 'running', want: null },
  { name: 'a device QEMU cannot migrate, running', disks: [disk('disk0', 'qcow2')], state: 'running', blockers: ['vfio device'], want: { fix: 'remove-device', reason: /vfio device/ } },
  { name: "QEMU 7.2's vdagent (a VNC console's clipboard), running", disks: [disk('disk0', 'qcow2')], state: 'running', blockers: ["The vdagent chardev doesn't yet support migration"], want: { fix: 'remove-device', reason: /vdagent/ } },
  { name: 'migration blockers do not matter shut down', disks: [disk('disk0', 'qcow2')], state: 'stopped', blockers: ['vfio device'], want: null },
];

for (const c of cases) {
  test(`snapshotBlocker: ${c.name}`, () => {
    const got = snapshotBlocker({ disks: c.disks }, c.state, c.blockers);
    if (c.want === null) return assert.equal(got, null);
    assert.ok(got);
    assert.match(got.reason, c.want.reason);
    assert.equal(got.fix?.kind ?? null, c.want.fix);
  });
}

test('the convert fix names the raw disks', () => {
  assert.deepEqual(snapshotBlocker({ disks: [disk('disk0', 'raw'), disk('disk2', 'raw')] }, 'stopped')?.fix?.disks, ['disk0', 'disk2']);
});

const restores: Array<[boolean, VmState, RegExp | null]> = [
  [true, 'running', null],
  [true, 'paused', null],
  [true, 'stopped', null],
  [false, 'stopped', null],
  [false, 'crashed', null],
  [false, 'running', /shut it down first/],
  [true, 'starting', /wait until/],
];
for (const [memory, state, want] of restores) {
  test(`restoreWhyNot(${memory ? 'memory' : 'disks only'}, ${state})`, () => {
    const why = restoreWhyNot({ name: 'S', memory }, state);
    if (want === null) assert.equal(why, null);
    else assert.match(why ?? '', want);
  });
}

test("a VNC console's vdagent blocking a live snapshot: the fix names the setting, and shutting down still works", () => {
  const got = snapshotBlocker({ disks: [disk('disk0', 'qcow2')] }, 'running', ["The vdagent chardev doesn't yet support migration"]);
  assert.match(got?.fix?.text ?? '', /^shut the VM down to take a snapshot of its disks, or turn off the SPICE agent/);
});
