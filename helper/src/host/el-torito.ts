// El Torito, the ISO 9660 extension that makes CDs bootable, read from raw sectors. Pure: the
// caller reads the sectors (host/inspect-media.ts), so tables of hand-built buffers test it.

export const SECTOR = 2048;
// Volume descriptors start at sector 16; the boot record is normally sector 17.
export const FIRST_DESCRIPTOR = 16;
// A disc has a handful of descriptors; more than this before the terminator is not ISO 9660.
export const MAX_DESCRIPTORS = 16;

const STANDARD_ID = 'CD001';
const EL_TORITO_ID = 'EL TORITO SPECIFICATION';
const PLATFORM_X86 = 0x00;
const PLATFORM_EFI = 0xef;

export interface BootPlatforms {
  bios: boolean;
  uefi: boolean;
}

// One volume descriptor: ISO 9660 or not, the terminator, and the boot catalogue's sector when it
// is an El Torito boot record.
export type Descriptor = { kind: 'not-iso' } | { kind: 'terminator' } | { kind: 'boot-record'; catalogSector: number } | { kind: 'other' };

export function parseDescriptor(sector: Uint8Array): Descriptor {
  if (sector.length < SECTOR || ascii(sector, 1, 5) !== STANDARD_ID) return { kind: 'not-iso' };
  const type = sector[0]!;
  if (type === 255) return { kind: 'terminator' };
  if (type === 0 && ascii(sector, 7, 32).replace(/\0+$/, '') === EL_TORITO_ID) {
    return { kind: 'boot-record', catalogSector: view(sector).getUint32(0x47, true) };
  }
  return { kind: 'other' };
}

// The platforms the boot catalogue has bootable entries for: the validation entry names the
// default entry's platform; section headers (0x90 more follow, 0x91 last) name theirs.
export function parseBootCatalog(catalog: Uint8Array): BootPlatforms {
  const found: BootPlatforms = { bios: false, uefi: false };
  if (!isValidationEntry(catalog)) return found;
  const mark = (platform: number) => {
    if (platform === PLATFORM_X86) found.bios = true;
    if (platform === PLATFORM_EFI) found.uefi = true;
  };
  if (catalog[32] === 0x88) mark(catalog[1]!);
  for (let at = 64; at + 32 <= catalog.length; ) {
    const header = catalog[at]!;
    if (header !== 0x90 && header !== 0x91) break;
    const platform = catalog[at + 1]!;
    const count = view(catalog).getUint16(at + 2, true);
    at += 32;
    for (let i = 0; i < count && at + 32 <= catalog.length; at += 32) {
      // Extension entries (0x44) continue the entry before them and are not counted.
      if (catalog[at] === 0x44) continue;
      if (catalog[at] === 0x88) mark(platform);
      i++;
    }
    if (header === 0x91) break;
  }
  return found;
}

// Header 1, key bytes 55 AA, and the 16-bit words of the entry summing to zero.
function isValidationEntry(c: Uint8Array): boolean {
  if (c.length < 64 || c[0] !== 1 || c[30] !== 0x55 || c[31] !== 0xaa) return false;
  let sum = 0;
  for (let i = 0; i < 32; i += 2) sum = (sum + view(c).getUint16(i, true)) & 0xffff;
  return sum === 0;
}

function ascii(b: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...b.subarray(start, start + length));
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
