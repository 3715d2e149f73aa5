import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { overlayBackingName } from './overlay';

describe('overlayBackingName', () => {
  const ok: Array<[string, string]> = [
    ['disk0.qcow2', './disk0.qcow2'],
    // A ':' before any '/' would make QEMU read "a" as a protocol; "./" keeps it a path.
    ['a:b.img', './a:b.img'],
    ['data, ü  x.img', './data, ü  x.img'],
  ];
  for (const [file, want] of ok) it(`${JSON.stringify(file)} → ${JSON.stringify(want)}`, () => assert.equal(overlayBackingName(file), want));
  for (const bad of ['', '.', '..', '../other/disk.qcow2', 'sub/disk.qcow2', 'c:\\x.img', '/abs/disk.qcow2', 'nul\u0000']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => overlayBackingName(bad), (e: { code?: string }) => e.code === 'UNSAFE_PATH'));
  }
});
