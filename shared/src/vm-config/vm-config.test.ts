import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VmConfig, VM_CONFIG_SCHEMA_VERSION, VmName, BundleFileName } from './schema';
import { PRESETS } from './presets';
import { applyVmEdit, fieldsNeedingStop, newVmConfig } from './build-config';
import { migrateVmConfig, type Migration } from './migrate';
import { OsPreset } from './schema';

const now = new Date('2026-01-02T03:04:05.000Z');

test('every preset makes a valid config with the preset’s devices and sizes', () => {
  for (const preset of OsPreset.options) {
    const c = newVmConfig({ name: `vm ${preset}`, preset }, { id: 'abcdef123456', now });
    const p = PRESETS[preset];
    assert.equal(c.schemaVersion, VM_CONFIG_SCHEMA_VERSION);
    assert.equal(c.system.memoryMiB, p.system.memoryMiB);
    assert.equal(c.system.firmware, p.system.firmware);
    assert.equal(c.disks.length, 1);
    assert.equal(c.disks[0]!.sizeMiB, p.diskSizeMiB);
    assert.equal(c.disks[0]!.interface, p.diskInterface);
    assert.equal(c.network.nic, p.network.nic);
    assert.equal(c.removable[0]!.iso, null);
    assert.equal(c.createdAt, now.toISOString());
  }
  assert.equal(newVmConfig({ name: 'w', preset: 'windows-11' }, { id: 'abcdef123456', now }).system.tpm, true);
});

test('the request wins over the preset, and port forwards default to loopback', () => {
  const c = newVmConfig(
    {
      name: 'srv',
      preset: 'linux-server',
      system: { memoryMiB: 512, firmware: 'bios' },
      disks: [{ sizeMiB: 100, format: 'raw' }],
      network: { portForwards: [{ hostPort: 2222, guestPort: 22 }] },
    },
    { id: 'abcdef123456', now },
  );
  assert.equal(c.system.memoryMiB, 512);
  assert.equal(c.system.cpus, PRESETS['linux-server'].system.cpus);
  assert.deepEqual(c.disks[0], { id: 'disk0', file: 'disk0.img', format: 'raw', sizeMiB: 100, interface: 'virtio', readOnly: false });
  assert.deepEqual(c.network.portForwards, [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 }]);
});

test('naming one field of a section keeps the preset’s other fields', () => {
  const c = newVmConfig({ name: 'w', preset: 'windows-11', system: { architecture: 'aarch64' }, display: { type: 'vnc' } }, { id: 'abcdef123456', now });
  assert.equal(c.system.architecture, 'aarch64');
  assert.equal(c.system.firmware, 'uefi');
  assert.equal(c.system.tpm, true);
  assert.equal(c.system.memoryMiB, PRESETS['windows-11'].system.memoryMiB);
  assert.equal(c.display.type, 'vnc');
  assert.equal(c.display.device, PRESETS['windows-11'].display.device);
});

test('drive ids are unique and start with a letter; port forwards are IPv4', () => {
  const c = newVmConfig({ name: 'a' }, { id: 'abcdef123456', now });
  assert.equal(VmConfig.safeParse({ ...c, removable: [{ id: 'disk0', iso: null, interface: 'sata' }] }).success, false);
  assert.equal(VmConfig.safeParse({ ...c, removable: [{ id: '0cd', iso: null, interface: 'sata' }] }).success, false);
  assert.throws(() => newVmConfig({ name: 'a', network: { portForwards: [{ hostAddress: '::1', hostPort: 1, guestPort: 2 }] } }, { id: 'abcdef123456', now }));
});

test('names: control characters and empty names are refused, odd but printable ones kept', () => {
  assert.equal(VmName.parse('  my, "odd" VM ü  '), 'my, "odd" VM ü');
  assert.equal(VmName.safeParse('').success, false);
  assert.equal(VmName.safeParse('a\nb').success, false);
  assert.equal(VmName.safeParse('x'.repeat(101)).success, false);
});

test('bundle file names cannot leave the VM folder', () => {
  for (const bad of ['../x', 'a/b', 'a\\b', '..', '.', '']) assert.equal(BundleFileName.safeParse(bad).success, false, bad);
  assert.equal(BundleFileName.safeParse('disk 0, copy.qcow2').success, true);
});

test('edits merge section by section and are validated as a whole', () => {
  const c = newVmConfig({ name: 'a', preset: 'linux-desktop' }, { id: 'abcdef123456', now });
  const later = new Date('2026-02-01T00:00:00.000Z');
  const e = applyVmEdit(c, { system: { cpus: 6 }, media: { cd0: '/isos/x.iso' } }, later);
  assert.equal(e.system.cpus, 6);
  assert.equal(e.system.memoryMiB, c.system.memoryMiB);
  assert.equal(e.removable[0]!.iso, '/isos/x.iso');
  assert.equal(e.updatedAt, later.toISOString());
  assert.equal(e.createdAt, c.createdAt);
  assert.throws(() => applyVmEdit(c, { system: { cpus: 0 } }, later));
  assert.throws(() => applyVmEdit(c, { media: { cd9: null } }, later), /no removable drive named cd9/);
});

test('only name, notes and media can change while a VM runs', () => {
  assert.deepEqual(fieldsNeedingStop({ name: 'x', notes: 'y', media: { cd0: null } }), []);
  assert.deepEqual(fieldsNeedingStop({ name: 'x', system: { cpus: 2 }, display: { type: 'vnc' } }), ['system', 'display']);
});

test('migration: current configs pass, newer ones are refused, broken ones explained', () => {
  const c = newVmConfig({ name: 'a' }, { id: 'abcdef123456', now });
  assert.deepEqual(migrateVmConfig(JSON.parse(JSON.stringify(c))), c);
  assert.throws(() => migrateVmConfig({ ...c, schemaVersion: VM_CONFIG_SCHEMA_VERSION + 1 }), { code: 'CONFIG_TOO_NEW' });
  assert.throws(() => migrateVmConfig({ ...c, schemaVersion: 'one' }), { code: 'CONFIG_INVALID' });
  assert.throws(() => migrateVmConfig([]), { code: 'CONFIG_INVALID' });
  assert.throws(() => migrateVmConfig({ ...c, system: { cpus: -1 } }), (e: Error & { code?: string }) => e.code === 'CONFIG_INVALID' && /system\.cpus/.test(e.message));
});

test('migration runs each step in order from the stored version', () => {
  const c = newVmConfig({ name: 'a' }, { id: 'abcdef123456', now });
  const { schemaVersion: _v, notes: _n, ...v0 } = c;
  const steps: Migration[] = [(doc) => ({ ...doc, schemaVersion: 1, notes: `migrated from ${String(doc.legacyNote)}`, legacyNote: undefined })];
  const migrated = migrateVmConfig({ ...v0, schemaVersion: 0, legacyNote: 'v0' }, steps);
  assert.equal(migrated.notes, 'migrated from v0');
  assert.equal(VmConfig.parse(migrated).schemaVersion, 1);
  assert.throws(() => migrateVmConfig({ ...v0, schemaVersion: 0 }), /no OpenUTM release wrote/);
});

// A stopped VM with one disk and one CD drive, as the drive edit table starts from.
function driveBase() {
  return newVmConfig({ name: 'd', preset: 'linux-server', disks: [{ sizeMiB: 100, format: 'qcow2' }] }, { id: 'abcdef123456', now });
}

const driveCases: Array<{ name: string; edit: Parameters<typeof applyVmEdit>[1]; files?: string[]; expect: (c: ReturnType<typeof driveBase>) => void }> = [
  {
    name: 'add: a new disk gets the first free id, a file name of its own and the preset’s interface',
    edit: { disks: { add: [{ sizeMiB: 64 }, { sizeMiB: 32, format: 'raw', interface: 'nvme' }] } },
    expect: (c) => {
      assert.deepEqual(c.disks.slice(1), [
        { id: 'disk1', file: 'disk1.qcow2', format: 'qcow2', sizeMiB: 64, interface: 'virtio', readOnly: false },
        { id: 'disk2', file: 'disk2.img', format: 'raw', sizeMiB: 32, interface: 'nvme', readOnly: false },
      ]);
    },
  },
  {
    name: 'add: a file already in the folder is never reused',
    edit: { disks: { add: [{ sizeMiB: 64 }] } },
    files: ['disk1.qcow2', 'disk1-2.qcow2'],
    expect: (c) => assert.equal(c.disks[1]!.file, 'disk1-3.qcow2'),
  },
  {
    name: 'change: grow, interface and read-only, other fields kept',
    edit: { disks: { change: { disk0: { sizeMiB: 200, interface: 'sata', readOnly: true } } } },
    expect: (c) => assert.deepEqual(c.disks[0], { id: 'disk0', file: 'disk0.qcow2', format: 'qcow2', sizeMiB: 200, interface: 'sata', readOnly: true }),
  },
  {
    name: 'remove with keep: the image becomes a detached disk',
    edit: { disks: { remove: { disk0: { file: 'keep' } } } },
    expect: (c) => {
      assert.deepEqual(c.disks, []);
      assert.deepEqual(c.detachedDisks, [{ file: 'disk0.qcow2', format: 'qcow2', sizeMiB: 100 }]);
    },
  },
  {
    name: 'remove with delete: nothing is kept in the config',
    edit: { disks: { remove: { disk0: { file: 'delete' } } } },
    expect: (c) => assert.deepEqual([c.disks, c.detachedDisks], [[], []]),
  },
  {
    name: 'remove and add in one edit: the new disk gets neither the old id nor the old file',
    edit: { disks: { remove: { disk0: { file: 'delete' } }, add: [{ sizeMiB: 10 }] } },
    files: ['disk0.qcow2'],
    expect: (c) => assert.deepEqual([c.disks[0]!.id, c.disks[0]!.file], ['disk1', 'disk1.qcow2']),
  },
  {
    name: 'CD drives: remove, re-plug, add; a disc can go into a drive added by the same edit',
    edit: { removable: { change: { cd0: { interface: 'usb' } }, add: [{ interface: 'scsi' }, {}] }, media: { cd1: '/isos/a.iso' } },
    expect: (c) => {
      assert.deepEqual(c.removable, [
        { id: 'cd0', iso: null, interface: 'usb' },
        { id: 'cd1', iso: '/isos/a.iso', interface: 'scsi' },
        { id: 'cd2', iso: null, interface: 'sata' },
      ]);
    },
  },
  {
    name: 'preset: a label only, no other setting rewritten',
    edit: { preset: 'windows-11' },
    expect: (c) => {
      const before = driveBase();
      assert.equal(c.preset, 'windows-11');
      assert.deepEqual([c.system, c.disks, c.removable, c.network, c.display], [before.system, before.disks, before.removable, before.network, before.display]);
    },
  },
];

for (const { name, edit, files, expect } of driveCases) {
  test(`drive edits — ${name}`, () => expect(applyVmEdit(driveBase(), edit, now, { filesInFolder: files ?? [] })));
}

test('drive edits: imported images come before empty ones, sized as the helper measured them', () => {
  const c = applyVmEdit(driveBase(), { disks: { add: [{ sizeMiB: 8 }], import: [{ path: '/h/a, b.qcow2', format: 'qcow2', interface: 'nvme' }] } }, now, { importSizesMiB: [300] });
  assert.deepEqual(c.disks.slice(1).map((d) => [d.id, d.file, d.sizeMiB, d.interface]), [['disk1', 'disk1.qcow2', 300, 'nvme'], ['disk2', 'disk2.qcow2', 8, 'virtio']]);
  assert.throws(() => applyVmEdit(driveBase(), { disks: { import: [{ path: '/h/a.img', format: 'raw' }] } }, now), /must be inspected by the helper/);
});

test('drive edits: a kept disk can be attached again, or discarded for good', () => {
  const kept = applyVmEdit(driveBase(), { disks: { remove: { disk0: { file: 'keep' } } } }, now);
  const back = applyVmEdit(kept, { disks: { attach: [{ file: 'disk0.qcow2', interface: 'ide' }] } }, now);
  assert.deepEqual(back.disks, [{ id: 'disk0', file: 'disk0.qcow2', format: 'qcow2', sizeMiB: 100, interface: 'ide', readOnly: false }]);
  assert.deepEqual(back.detachedDisks, []);
  assert.deepEqual(applyVmEdit(kept, { disks: { discard: ['disk0.qcow2'] } }, now).detachedDisks, []);
});

const refusals: Array<{ name: string; edit: Parameters<typeof applyVmEdit>[1]; code: string; message: RegExp }> = [
  { name: 'shrinking a disk', edit: { disks: { change: { disk0: { sizeMiB: 99 } } } }, code: 'WOULD_LOSE_DATA', message: /disk0 is 100 MiB; shrinking it to 99 MiB/ },
  { name: 'an unknown disk', edit: { disks: { change: { disk7: { readOnly: true } } } }, code: 'CONFIG_INVALID', message: /no such disk.*it has disk0/ },
  { name: 'removing an unknown disk', edit: { disks: { remove: { nope: { file: 'delete' } } } }, code: 'CONFIG_INVALID', message: /cannot remove disk "nope"/ },
  { name: 'changing a disk removed by the same edit', edit: { disks: { remove: { disk0: { file: 'keep' } }, change: { disk0: { readOnly: true } } } }, code: 'CONFIG_INVALID', message: /cannot change disk "disk0"/ },
  { name: 'attaching a file that is not a detached disk', edit: { disks: { attach: [{ file: 'disk0.qcow2' }] } }, code: 'CONFIG_INVALID', message: /no such detached disk image/ },
  { name: 'discarding an attached disk’s file', edit: { disks: { discard: ['disk0.qcow2'] } }, code: 'CONFIG_INVALID', message: /cannot discard/ },
  { name: 'an unknown CD drive', edit: { removable: { remove: ['cd5'] } }, code: 'CONFIG_INVALID', message: /no such removable drive/ },
];

for (const { name, edit, code, message } of refusals) {
  test(`drive edits refuse ${name}`, () => {
    assert.throws(() => applyVmEdit(driveBase(), edit, now), (e: Error & { code?: string }) => e.code === code && message.test(e.message));
  });
}

test('drive edits refuse what the schema refuses: a path as a file name, a 17th disk, a fifth CD drive, a removal without saying what happens to the file', () => {
  assert.throws(() => applyVmEdit(driveBase(), { disks: { attach: [{ file: '../other/disk0.qcow2' }] } }, now), /plain name without slashes/);
  assert.throws(() => applyVmEdit(driveBase(), { disks: { add: Array.from({ length: 16 }, () => ({ sizeMiB: 1 })) } }, now), /at most 16/);
  assert.throws(() => applyVmEdit(driveBase(), { removable: { add: [{}, {}, {}, {}] } }, now), /at most 4/);
  assert.throws(() => applyVmEdit(driveBase(), { disks: { remove: { disk0: {} as { file: 'keep' } } } }, now));
});

test('disk, CD drive and preset edits need the VM stopped', () => {
  assert.deepEqual(fieldsNeedingStop({ preset: 'freebsd', disks: { add: [{ sizeMiB: 1 }] }, removable: { add: [{}] }, media: { cd0: null } }), ['preset', 'disks', 'removable']);
});
