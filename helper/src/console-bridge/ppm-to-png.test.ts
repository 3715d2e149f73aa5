import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, inflateSync } from 'node:zlib';
import { isPng, pngSize, ppmToPng } from './ppm-to-png';

function ppm(width: number, height: number, header = `P6\n${width} ${height}\n255\n`): { file: Buffer; pixels: Buffer } {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) & 0xff;
  return { file: Buffer.concat([Buffer.from(header, 'latin1'), pixels]), pixels };
}

// Walks the chunks, checking every CRC; returns them by type.
function chunks(png: Buffer): Map<string, Buffer[]> {
  const out = new Map<string, Buffer[]>();
  let at = 8;
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    assert.equal(png.readUInt32BE(at + 8 + len), crc32(png.subarray(at + 4, at + 8 + len)), `CRC of ${type}`);
    out.set(type, [...(out.get(type) ?? []), data]);
    at += 12 + len;
  }
  return out;
}

test('a P6 PPM becomes an RGB PNG with the same pixels', () => {
  const { file, pixels } = ppm(5, 3);
  const png = ppmToPng(file);
  assert.ok(isPng(png));
  assert.deepEqual(pngSize(png), { width: 5, height: 3 });
  const parts = chunks(png);
  assert.deepEqual([...parts.keys()], ['IHDR', 'IDAT', 'IEND']);
  const ihdr = parts.get('IHDR')![0]!;
  assert.deepEqual([...ihdr.subarray(8)], [8, 2, 0, 0, 0], '8-bit RGB, no interlace');
  const raw = inflateSync(Buffer.concat(parts.get('IDAT')!));
  const rows: Buffer[] = [];
  for (let y = 0; y < 3; y++) {
    assert.equal(raw[y * 16], 0, 'filter type none');
    rows.push(raw.subarray(y * 16 + 1, (y + 1) * 16));
  }
  assert.deepEqual(Buffer.concat(rows), pixels);
});

test('header comments and odd whitespace are read as the PPM format allows', () => {
  const { file } = ppm(2, 2, 'P6 # from QEMU\n2\t2\r\n# maxval next\n255 ');
  assert.deepEqual(pngSize(ppmToPng(file)), { width: 2, height: 2 });
});

test('a truncated or foreign file is refused with a code', () => {
  const { file } = ppm(4, 4);
  assert.throws(() => ppmToPng(file.subarray(0, file.length - 1)), { code: 'QEMU_FAILED' });
  assert.throws(() => ppmToPng(Buffer.from('P3\n1 1\n255\n0 0 0\n')), { code: 'QEMU_FAILED' });
  assert.throws(() => ppmToPng(ppm(1, 1, 'P6\n1 1\n65535\n').file), { code: 'QEMU_FAILED' });
  assert.equal(pngSize(Buffer.from('not a png at all, really')), null);
});
