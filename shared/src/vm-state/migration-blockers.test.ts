import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migrationBlockerFix } from './migration-blockers';

test('migrationBlockerFix: names the setting behind the blockers OpenUTM adds itself', () => {
  const table: Array<[string[], RegExp]> = [
    [["The vdagent chardev doesn't yet support migration"], /turn off the SPICE agent.*SPICE display/],
    [['vfio device', "The vdagent chardev doesn't yet support migration"], /turn off the SPICE agent/],
    [['vfio device'], /remove the device QEMU names/],
    [[], /shut the VM down first/],
  ];
  for (const [reasons, want] of table) assert.match(migrationBlockerFix(reasons), want, reasons.join('; '));
});
