import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostFacts } from '@openutm/shared';
import { acceleratorOverridden, effectiveAccelerator } from './effective-accelerator';

const facts = (effective: HostFacts['effectiveAccelerators']): HostFacts => ({
  os: 'linux',
  arch: 'x64',
  cpus: 4,
  memoryMiB: 8192,
  qemu: [],
  qemuImg: null,
  swtpm: null,
  accelerators: ['kvm', 'tcg'],
  firmware: [],
  problems: [],
  effectiveAccelerators: effective,
});

test('the accelerator shown is the one the helper says a VM gets, not the best one the host has', () => {
  const overridden = facts([{ architecture: 'x86_64', accelerator: 'tcg', override: true }]);
  assert.equal(effectiveAccelerator(overridden, 'x86_64', 'auto'), 'tcg');
  assert.equal(effectiveAccelerator(overridden, 'x86_64', 'kvm'), 'tcg', 'OPENUTM_ACCEL wins over the VM setting');
  assert.equal(acceleratorOverridden(overridden), true);
  const plain = facts([{ architecture: 'x86_64', accelerator: 'kvm', override: false }, { architecture: 'aarch64', accelerator: 'tcg', override: false }]);
  assert.equal(effectiveAccelerator(plain, 'x86_64', 'auto'), 'kvm');
  assert.equal(effectiveAccelerator(plain, 'aarch64', 'auto'), 'tcg', 'a foreign guest is emulated');
  assert.equal(effectiveAccelerator(plain, 'x86_64', 'tcg'), 'tcg');
  assert.equal(effectiveAccelerator(facts(undefined), 'x86_64', 'auto'), 'kvm', 'an older helper: its best accelerator');
  assert.equal(effectiveAccelerator(null, 'x86_64', 'auto'), null);
});
