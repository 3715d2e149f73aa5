import { crc32, deflateSync } from 'node:zlib';
import { OpenUtmError } from '@openutm/shared';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// Whether bytes start like a PNG file.
export function isPng(data: Uint8Array): boolean {
  return data.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.equals(Buffer.from(data.buffer, data.byteOffset, PNG_SIGNATURE.length));
}

// Width and height from a PNG's IHDR chunk (which must come first), or null if it is not one.
export function pngSize(data: Buffer): { width: number; height: number } | null {
  if (!isPng(data) || data.length < 24 || data.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

// A binary PPM (P6, maxval 255: what QEMU's screendump writes) as an RGB PNG. QEMU builds
// without libpng can only dump PPM; this keeps screenshots PNG everywhere without a library.
export function ppmToPng(ppm: Buffer): Buffer {
  const { width, height, offset } = parsePpmHeader(ppm);
  const rowBytes = width * 3;
  if (ppm.length < offset + rowBytes * height) {
    throw new OpenUtmError('QEMU_FAILED', `the screendump is cut short: a ${width}x${height} image needs ${rowBytes * height} bytes of pixels, got ${ppm.length - offset}; try again`);
  }
  // Each PNG row starts with its filter type; 0 (none) keeps encoding cheap.
  const raw = Buffer.alloc((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) ppm.copy(raw, y * (rowBytes + 1) + 1, offset + y * rowBytes, offset + (y + 1) * rowBytes);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 6 })), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

// "P6 <width> <height> <maxval>" separated by whitespace (comments allowed), then one
// whitespace byte, then the pixels.
function parsePpmHeader(ppm: Buffer): { width: number; height: number; offset: number } {
  const fields: number[] = [];
  let i = 0;
  const bad = (why: string): never => {
    throw new OpenUtmError('QEMU_FAILED', `the screendump is not a PPM image QEMU should write (${why}); the QEMU build may be unusual`);
  };
  if (ppm.toString('latin1', 0, 2) !== 'P6') bad('no P6 magic');
  i = 2;
  while (fields.length < 3) {
    while (i < ppm.length && (isSpace(ppm[i]!) || ppm[i] === 0x23)) {
      if (ppm[i] === 0x23) while (i < ppm.length && ppm[i] !== 0x0a) i++;
      else i++;
    }
    const start = i;
    while (i < ppm.length && ppm[i]! >= 0x30 && ppm[i]! <= 0x39) i++;
    if (i === start) bad('a header number is missing');
    fields.push(Number(ppm.toString('latin1', start, i)));
  }
  if (i >= ppm.length || !isSpace(ppm[i]!)) bad('no whitespace after the header');
  const [width, height, maxval] = fields as [number, number, number];
  if (maxval !== 255) bad(`maxval ${maxval}, expected 255`);
  if (width <= 0 || height <= 0 || width > 16384 || height > 16384) bad(`size ${width}x${height}`);
  return { width, height, offset: i + 1 };
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}
