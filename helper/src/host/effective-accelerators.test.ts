import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostFacts, QemuBinary } from '@openutm/shared';
import { effectiveAccelerators } from './effective-accelerators';

const binary = (architecture: QemuBinary['architecture']): QemuBinary => ({
  architecture,
  path: `/usr/bin/qemu-system-${architecture}`,
  version: '8.2.0',
  spice: true,
  sandbox: true,
  accelerators: ['kvm', 'tcg'],
  machines: [],
});
const facts = (accelerators: HostFacts['accelerators']): HostFacts => ({
  os: 'linux',
  arch: 'x64',
  cpus: 4,
  memoryMiB: 8192,
  qemu: [binary('x86_64'), binary('aarch64')],
  qemuImg: null,
  swtpm: null,
  accelerators,
  firmware: [],
  problems: [],
});

test('effective accelerators: KVM for the native guest, TCG for the foreign one, OPENUTM_ACCEL over both', () => {
  assert.deepEqual(effectiveAccelerators(facts(['kvm', 'tcg']), undefined), [
    { architecture: 'x86_64', accelerator: 'kvm', override: false },
    { architecture: 'aarch64', accelerator: 'tcg', override: false },
  ]);
  assert.deepEqual(
    effectiveAccelerators(facts(['kvm', 'tcg']), ' tcg ').map((e) => [e.accelerator, e.override]),
    [['tcg', true], ['tcg', true]],
  );
  assert.deepEqual(effectiveAccelerators(facts(['kvm', 'tcg']), 'auto')[0], { architecture: 'x86_64', accelerator: 'kvm', override: false });
  // An unknown value is reported by the doctor's problems; the VMs then get the usual choice.
  assert.equal(effectiveAccelerators(facts(['kvm', 'tcg']), 'fast')[0]?.accelerator, 'kvm');
  assert.equal(effectiveAccelerators(facts(['tcg']), undefined)[0]?.accelerator, 'tcg', 'KVM that failed its probe is not offered');
});
