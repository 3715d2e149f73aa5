import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertedFileName, toolsBlockedBecause, type ToolCheckedInfo } from './disk-tool-checks';

const plain: ToolCheckedInfo = { backingFilename: null, snapshots: 0, dataFile: null, encrypted: false, corrupt: false };

test('toolsBlockedBecause: a plain image passes; each risk is named', () => {
  const cases: Array<[Partial<ToolCheckedInfo>, RegExp | null]> = [
    [{}, null],
    [{ snapshots: 1 }, /holds 1 snapshot, which a rewrite of the image would lose; delete it/],
    [{ snapshots: 3 }, /holds 3 snapshots.*delete them/],
    [{ backingFilename: 'base.qcow2' }, /overlay on base\.qcow2; a rewrite would merge/],
    [{ dataFile: '/x/data.raw' }, /another file \(\/x\/data\.raw\)/],
    [{ encrypted: true }, /encrypted/],
    [{ corrupt: true }, /qemu-img check -r all/],
    // Snapshots are the loss people care most about, so they are named first.
    [{ snapshots: 2, backingFilename: 'b' }, /2 snapshots/],
  ];
  for (const [over, expected] of cases) {
    const why = toolsBlockedBecause({ ...plain, ...over });
    if (expected === null) assert.equal(why, null);
    else assert.match(why ?? '', expected, JSON.stringify(over));
  }
});

test('convertedFileName: the disk id with the format’s extension, numbered past taken names', () => {
  const cases: Array<[string, 'qcow2' | 'raw', string[], string]> = [
    ['disk0', 'raw', [], 'disk0.img'],
    ['disk0', 'qcow2', ['disk0.img'], 'disk0.qcow2'],
    ['disk0', 'raw', ['disk0.img'], 'disk0-2.img'],
    ['disk1', 'qcow2', ['disk1.qcow2', 'disk1-2.qcow2'], 'disk1-3.qcow2'],
  ];
  for (const [id, format, taken, name] of cases) assert.equal(convertedFileName(id, format, new Set(taken)), name);
});
