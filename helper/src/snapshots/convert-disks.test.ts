import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qcow2NameFor } from './convert-disks';

const cases: Array<[string, string[], string]> = [
  ['disk0.img', [], 'disk0.qcow2'],
  ['disk0.raw', [], 'disk0.qcow2'],
  ['data', [], 'data.qcow2'],
  ['disk0.img', ['disk0.qcow2'], 'disk0-2.qcow2'],
  ['disk0.img', ['disk0.qcow2', 'disk0-2.qcow2'], 'disk0-3.qcow2'],
  ['My Disk.IMG', [], 'My Disk.qcow2'],
];
for (const [file, taken, want] of cases) {
  test(`qcow2NameFor(${file}, [${taken.join(', ')}]) = ${want}`, () => assert.equal(qcow2NameFor(file, new Set(taken)), want));
}
