import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guestSizeFor } from './guest-size';

test('guestSizeFor: device pixels, width a multiple of 8, clamped, nothing for an empty console', () => {
  const cases: Array<[number, number, number, { width: number; height: number } | null]> = [
    [1024, 768, 1, { width: 1024, height: 768 }],
    [1023.6, 767.4, 1, { width: 1016, height: 766 }],
    [800, 600, 2, { width: 1600, height: 1200 }],
    [801, 601, 1.25, { width: 1000, height: 750 }],
    [100, 50, 1, { width: 640, height: 480 }],
    [9000, 9000, 2, { width: 8192, height: 8192 }],
    [1000, 700, 0, { width: 1000, height: 700 }],
    [1000, 700, Number.NaN, { width: 1000, height: 700 }],
    [0, 700, 1, null],
    [1000, -1, 1, null],
  ];
  for (const [w, h, dpr, want] of cases) assert.deepEqual(guestSizeFor(w, h, dpr), want, `${w}×${h}@${dpr}`);
});
