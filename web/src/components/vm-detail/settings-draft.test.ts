import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyVmEdit, newVmConfig } from '@openutm/shared';
import { draftToEdit, editErrors, settingsDraft } from './settings-draft';

const config = newVmConfig(
  { name: 'Base', preset: 'linux-server', linuxBoot: { kernel: '/k', initrd: null, cmdline: 'quiet' }, network: { portForwards: [{ hostPort: 2222, guestPort: 22 }] } },
  { id: 'abcdef123456', now: new Date('2026-01-01T00:00:00Z') },
);

test('an untouched draft is no edit at all', () => {
  assert.deepEqual(draftToEdit(config, settingsDraft(config)), {});
});

test('only the sections that changed are sent, each whole, and they apply to the config', () => {
  const d = { ...settingsDraft(config), cpus: '4', mac: '52:54:00:AB:CD:EF', notes: 'n' };
  const edit = draftToEdit(config, d);
  assert.deepEqual(Object.keys(edit).sort(), ['network', 'notes', 'system']);
  const next = applyVmEdit(config, edit, new Date('2026-01-02T00:00:00Z'));
  assert.equal(next.system.cpus, 4);
  assert.equal(next.network.mac, '52:54:00:ab:cd:ef');
  assert.deepEqual(next.network.portForwards, config.network.portForwards, 'forwards round-trip unchanged');
  assert.deepEqual(next.linuxBoot, config.linuxBoot);
});

test('turning direct kernel boot off sends null; an empty initrd is null', () => {
  assert.equal(draftToEdit(config, { ...settingsDraft(config), linuxBootEnabled: false }).linuxBoot, null);
  assert.equal(draftToEdit(config, { ...settingsDraft(config), cmdline: 'x' }).linuxBoot?.initrd, null);
});

test('errors are named by the field that holds them', () => {
  const d = { ...settingsDraft(config), cpus: '', memoryMiB: '8', mac: 'nope', kernel: '', portForwards: [...settingsDraft(config).portForwards, { protocol: 'tcp' as const, hostAddress: '127.0.0.1', hostPort: '2222', guestPort: '0' }] };
  const errors = editErrors(draftToEdit(config, d), d);
  assert.equal(errors.cpus, 'enter a whole number');
  assert.match(errors.memoryMiB!, /16/);
  assert.match(errors.mac!, /MAC address looks like/);
  assert.ok(errors.kernel);
  assert.match(errors['portForwards.1.hostPort']!, /row 1/);
  assert.ok(errors['portForwards.1.guestPort']);
});
