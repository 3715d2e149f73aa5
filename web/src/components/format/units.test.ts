import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatMiB } from './units';

test('formatMiB: binary units labelled as binary, MiB below one GiB', () => {
  const table: Array<[number, string]> = [
    [0, '0 MiB'],
    [16, '16 MiB'],
    [512, '512 MiB'],
    [1023, '1023 MiB'],
    [1024, '1 GiB'],
    [1536, '1.5 GiB'],
    [1100, '1.07 GiB'],
    [4096, '4 GiB'],
    [20 * 1024, '20 GiB'],
    [20 * 1024 + 512, '20.5 GiB'],
    [1024 * 1024, '1024 GiB'],
    [-1, '—'],
    [Number.NaN, '—'],
  ];
  for (const [mib, expected] of table) assert.equal(formatMiB(mib), expected, `formatMiB(${mib})`);
});

test('formatBytes: KiB below one MiB (rounded up, so a used image never reads 0), then MiB and GiB', () => {
  const table: Array<[number, string]> = [
    [0, '0 KiB'],
    [1, '1 KiB'],
    [196_608, '192 KiB'],
    [1024 * 1024, '1 MiB'],
    [300 * 1024 * 1024, '300 MiB'],
    [1.5 * 1024 * 1024 * 1024, '1.5 GiB'],
    [-1, '—'],
  ];
  for (const [bytes, text] of table) assert.equal(formatBytes(bytes), text, String(bytes));
});
