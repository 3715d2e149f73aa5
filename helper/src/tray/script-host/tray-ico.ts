import { trayIconPixmap } from '../sni/tray-icon';

// The tray icon as a Windows .ico (Windows Forms' NotifyIcon takes nothing else; macOS's NSImage
// reads .ico too), built from the same drawing as the Linux icon, so no image file ships.
// Entries are classic 32-bit BMP images rather than embedded PNG: every .NET Framework's
// System.Drawing.Icon reads those.
export const ICON_SIZES = [16, 20, 24, 32] as const;

// One BMP-style icon image: BITMAPINFOHEADER (height doubled: colour rows then the mask rows),
// BGRA rows bottom-up, then a 1-bit AND mask (1 = transparent, for renderers that ignore alpha)
// with rows padded to 32 bits.
function iconImage(size: number, attention: boolean): Buffer {
  const [, , argb] = trayIconPixmap(size, attention);
  const maskRow = Math.ceil(size / 32) * 4;
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8);
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(size * size * 4 + maskRow * size, 20);
  const pixels = Buffer.alloc(size * size * 4);
  const mask = Buffer.alloc(maskRow * size);
  for (let y = 0; y < size; y++) {
    const row = size - 1 - y;
    for (let x = 0; x < size; x++) {
      const src = (y * size + x) * 4;
      const [a, r, g, b] = [argb[src]!, argb[src + 1]!, argb[src + 2]!, argb[src + 3]!];
      pixels.set([b, g, r, a], (row * size + x) * 4);
      if (a === 0) mask[row * maskRow + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return Buffer.concat([header, pixels, mask]);
}

// The whole .ico: ICONDIR, one ICONDIRENTRY per size, then the images.
export function trayIco(attention = false): Buffer {
  const images = ICON_SIZES.map((s) => iconImage(s, attention));
  const dir = Buffer.alloc(6 + 16 * images.length);
  dir.writeUInt16LE(0, 0);
  dir.writeUInt16LE(1, 2);
  dir.writeUInt16LE(images.length, 4);
  let offset = dir.length;
  images.forEach((img, i) => {
    const e = 6 + 16 * i;
    dir.writeUInt8(ICON_SIZES[i]!, e);
    dir.writeUInt8(ICON_SIZES[i]!, e + 1);
    dir.writeUInt16LE(1, e + 4);
    dir.writeUInt16LE(32, e + 6);
    dir.writeUInt32LE(img.length, e + 8);
    dir.writeUInt32LE(offset, e + 12);
    offset += img.length;
  });
  return Buffer.concat([dir, ...images]);
}
