import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FEATURES, METHODS, type Welcome } from '@openutm/shared';
import { missingFeature, missingMethods, unsupportedCall } from './capabilities';

// An older helper cannot exist here (there is no earlier release), so the rules are tested as
// the pure functions the UI uses; the helper test asserts the current helper lists everything.
const ALL = Object.keys(METHODS);
const welcome = (capabilities: string[]): Welcome => ({ type: 'welcome', helperVersion: '0.0.9', protocol: 1, capabilities });

test('a helper that serves every method lacks nothing, and nothing is known before its welcome', () => {
  assert.deepEqual(missingMethods(welcome(ALL)), []);
  assert.deepEqual(missingMethods(null), []);
  assert.equal(unsupportedCall('vm.list', null), null);
});

test('an older helper: the methods it did not list are missing and refused with HELPER_TOO_OLD', () => {
  const older = welcome(ALL.filter((m) => m !== 'host.browse' && m !== 'vm.log'));
  assert.deepEqual(missingMethods(older).sort(), ['host.browse', 'vm.log']);
  assert.equal(unsupportedCall('vm.list', older), null);
  const refused = unsupportedCall('host.browse', older);
  assert.equal(refused?.code, 'HELPER_TOO_OLD');
  assert.match(refused!.message, /0\.0\.9.*update the helper/);
  assert.deepEqual(refused?.details, { method: 'host.browse', helperVersion: '0.0.9' });
});

test('names a helper lists that this UI does not know are ignored', () => {
  assert.deepEqual(missingMethods(welcome([...ALL, 'vm.teleport'])), []);
});

test('a helper without drive edits: the reason names its version; a current one, or none yet, lacks nothing', () => {
  assert.match(missingFeature(FEATURES.driveEdits, 'change disks', welcome(ALL)) ?? '', /0\.0\.9\).*cannot change disks; update the helper/);
  assert.equal(missingFeature(FEATURES.driveEdits, 'change disks', welcome([...ALL, FEATURES.driveEdits])), null);
  assert.equal(missingFeature(FEATURES.driveEdits, 'change disks', null), null);
});
