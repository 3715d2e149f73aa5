import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SPACE_MARGIN_BYTES, formatBytes, spaceShortfall } from './disk-space';

const MiB = 1024 * 1024;

test('formatBytes: binary units, trimmed', () => {
  const cases: Array<[number, string]> = [
    [0, '0 bytes'],
    [1023, '1023 bytes'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [20 * MiB, '20 MiB'],
    [1.25 * 1024 * MiB, '1.25 GiB'],
    [100 * 1024 * MiB, '100 GiB'],
    [5 * 1024 * 1024 * MiB, '5 TiB'],
  ];
  for (const [bytes, text] of cases) assert.equal(formatBytes(bytes), text, String(bytes));
});

test('spaceShortfall: refuses below need + margin, with both figures in the message', () => {
  const cases: Array<{ needed: number; free: number; refused: boolean }> = [
    { needed: 10 * MiB, free: 10 * MiB + SPACE_MARGIN_BYTES, refused: false },
    { needed: 10 * MiB, free: 10 * MiB + SPACE_MARGIN_BYTES - 1, refused: true },
    { needed: 0, free: 0, refused: true },
    { needed: 1024 * MiB, free: 100 * 1024 * MiB, refused: false },
  ];
  for (const c of cases) {
    const err = spaceShortfall({ ...c, what: 'converting disk0 to raw', where: '/lib/vm' });
    assert.equal(err !== null, c.refused, JSON.stringify(c));
    if (err) {
      assert.equal(err.code, 'NO_SPACE');
      assert.match(err.message, new RegExp(`needs up to ${formatBytes(c.needed + SPACE_MARGIN_BYTES)} free in /lib/vm`));
      assert.match(err.message, new RegExp(`only ${formatBytes(c.free)} is free`));
      assert.deepEqual(err.details, { neededBytes: c.needed + SPACE_MARGIN_BYTES, freeBytes: c.free });
    }
  }
});
