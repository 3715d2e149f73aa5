import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VmConfig, type VmConfigInput } from '@openutm/shared';
import { vmFacts } from './vm-facts';

const at = '2026-01-01T00:00:00.000Z';
const config = (over: Partial<VmConfigInput>) => VmConfig.parse({ schemaVersion: 1, id: 'vmfacts1', name: 'V', createdAt: at, updatedAt: at, ...over });
const facts = (over: Partial<VmConfigInput>) => Object.fromEntries(vmFacts(config(over)).map((f) => [f.label, f.value]));

// Internal names the summary once showed; none may appear in any fact.
const INTERNAL = /\bauto\b|virtio-net-pci|virtio-vga|\bspice\b|qxl|\bx86_64\b|\btcg\b|\bkvm\b|\bMB\b|\bGB\b/;

test('vmFacts: the summary in words and one unit system', () => {
  const table: Array<[string, Partial<VmConfigInput>, Record<string, string>]> = [
    [
      'defaults',
      {},
      { 'Operating system': 'Other / legacy', Processor: '2 CPUs, Intel/AMD 64-bit', Memory: '2 GiB', Storage: 'None', Network: 'Shared (NAT), VirtIO', Display: 'SPICE', Acceleration: 'Automatic' },
    ],
    [
      'a small server with a disc in',
      {
        preset: 'linux-server',
        system: { cpus: 1, memoryMiB: 384, accelerator: 'tcg', architecture: 'aarch64' },
        disks: [{ id: 'disk0', file: 'disk0.qcow2', format: 'qcow2', sizeMiB: 20 * 1024, interface: 'virtio' }],
        removable: [{ id: 'cd0', iso: '/tmp/a.iso', interface: 'sata' }],
        network: { nic: 'e1000e' },
        display: { type: 'vnc', device: 'virtio-vga' },
      },
      { Processor: '1 CPU, ARM 64-bit', Memory: '384 MiB', Storage: '20 GiB (1 disk), a disc inserted', Network: 'Shared (NAT), Intel 82574', Display: 'VNC, VirtIO graphics', Acceleration: 'Emulated' },
    ],
    ['no network, no screen', { network: { mode: 'none' }, display: { type: 'none' } }, { Network: 'No network', Display: 'No screen' }],
  ];
  for (const [what, over, expected] of table) {
    const got = facts(over);
    for (const [label, value] of Object.entries(expected)) assert.equal(got[label], value, `${what}: ${label}`);
    for (const value of Object.values(got)) assert.doesNotMatch(value, INTERNAL, `${what}: "${value}" shows an internal name`);
  }
});
