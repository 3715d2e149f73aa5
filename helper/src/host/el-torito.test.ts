import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBootCatalog, parseDescriptor, SECTOR } from './el-torito';

// A volume descriptor sector: type, "CD001", version 1, then the boot system id and catalogue.
function descriptor(type: number, systemId = '', catalogSector = 0, standard = 'CD001'): Uint8Array {
  const s = new Uint8Array(SECTOR);
  s[0] = type;
  s.set(Buffer.from(standard, 'ascii'), 1);
  s[6] = 1;
  s.set(Buffer.from(systemId, 'ascii'), 7);
  new DataView(s.buffer).setUint32(0x47, catalogSector, true);
  return s;
}

// A boot catalogue from 32-byte entries; the validation entry's checksum is filled in.
function catalog(platform: number, defaultBootable: boolean, sections: { header: number; platform: number; entries: number[] }[] = [], badChecksum = false): Uint8Array {
  const c = new Uint8Array(SECTOR);
  const v = new DataView(c.buffer);
  c[0] = 1;
  c[1] = platform;
  c[30] = 0x55;
  c[31] = 0xaa;
  let sum = 0;
  for (let i = 0; i < 32; i += 2) sum = (sum + v.getUint16(i, true)) & 0xffff;
  v.setUint16(28, (0x10000 - sum + (badChecksum ? 1 : 0)) & 0xffff, true);
  c[32] = defaultBootable ? 0x88 : 0x00;
  let at = 64;
  for (const s of sections) {
    c[at] = s.header;
    c[at + 1] = s.platform;
    v.setUint16(at + 2, s.entries.filter((e) => e !== 0x44).length, true);
    at += 32;
    for (const e of s.entries) {
      c[at] = e;
      at += 32;
    }
  }
  return c;
}

test('volume descriptors: the El Torito boot record gives its catalogue sector; others are told apart', () => {
  assert.deepEqual(parseDescriptor(descriptor(0, 'EL TORITO SPECIFICATION', 33)), { kind: 'boot-record', catalogSector: 33 });
  assert.deepEqual(parseDescriptor(descriptor(1)), { kind: 'other' });
  assert.deepEqual(parseDescriptor(descriptor(255)), { kind: 'terminator' });
  assert.deepEqual(parseDescriptor(descriptor(0, 'SOME OTHER BOOT SYSTEM', 33)), { kind: 'other' });
  assert.deepEqual(parseDescriptor(descriptor(1, '', 0, 'NOTCD')), { kind: 'not-iso' });
  assert.deepEqual(parseDescriptor(new Uint8Array(100)), { kind: 'not-iso' }, 'a short read is not a descriptor');
});

const CATALOGS: [string, Uint8Array, { bios: boolean; uefi: boolean }][] = [
  ['BIOS default entry only', catalog(0x00, true), { bios: true, uefi: false }],
  ['EFI default entry only', catalog(0xef, true), { bios: false, uefi: true }],
  ['BIOS default + final EFI section (hybrid installers)', catalog(0x00, true, [{ header: 0x91, platform: 0xef, entries: [0x88] }]), { bios: true, uefi: true }],
  ['BIOS default + PPC then EFI sections', catalog(0x00, true, [{ header: 0x90, platform: 0x01, entries: [0x88] }, { header: 0x91, platform: 0xef, entries: [0x88] }]), { bios: true, uefi: true }],
  ['extension entries are skipped, not counted', catalog(0x00, true, [{ header: 0x91, platform: 0xef, entries: [0x00, 0x44, 0x88] }]), { bios: true, uefi: true }],
  ['a non-bootable default entry counts for nothing', catalog(0x00, false, [{ header: 0x91, platform: 0xef, entries: [0x88] }]), { bios: false, uefi: true }],
  ['a non-bootable section entry counts for nothing', catalog(0x00, true, [{ header: 0x91, platform: 0xef, entries: [0x00] }]), { bios: true, uefi: false }],
  ['sections after the final header are ignored', catalog(0x00, true, [{ header: 0x91, platform: 0x02, entries: [0x88] }, { header: 0x91, platform: 0xef, entries: [0x88] }]), { bios: true, uefi: false }],
  ['a bad checksum means no catalogue', catalog(0x00, true, [], true), { bios: false, uefi: false }],
  ['zeros (no catalogue there)', new Uint8Array(SECTOR), { bios: false, uefi: false }],
];

for (const [name, bytes, expected] of CATALOGS) {
  test(`boot catalogue: ${name}`, () => assert.deepEqual(parseBootCatalog(bytes), expected));
}
