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
