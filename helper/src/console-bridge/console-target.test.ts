import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostFacts, VmConfig } from '@openutm/shared';
import { HOSTS } from '../qemu-args/testing/host-fixtures';
import { pathsFor, presetConfig } from '../qemu-args/testing/vm-fixtures';
import { consoleTargetFor } from './console-target';

const linux = HOSTS['linux-x64-kvm'];
const noVdagent: HostFacts = { ...linux, qemu: linux.qemu.map((b) => ({ ...b, vdagent: false })) };
// Facts kept from a helper that did not probe for qemu-vdagent yet.
const unprobed: HostFacts = { ...linux, qemu: linux.qemu.map(({ vdagent: _, ...b }) => b) };
const display = (type: 'spice' | 'vnc', spiceAgent = true) => (c: VmConfig) => ({ ...c, display: { ...c.display, type }, sharing: { ...c.sharing, spiceAgent } });

// The console says whether a VNC screen shares the clipboard by the same rule the command line
// was built with (spiceAgentHost), so the toolbar never promises a channel QEMU does not have.
test('consoleTargetFor: protocol, endpoint, and whether a VNC console shares the clipboard', () => {
  const table: Array<[string, (c: VmConfig) => VmConfig, HostFacts, { protocol: 'spice' | 'vnc'; clipboard?: boolean }]> = [
    ['SPICE: the session finds its agent itself', display('spice'), linux, { protocol: 'spice' }],
    ['VNC with qemu-vdagent', display('vnc'), linux, { protocol: 'vnc', clipboard: true }],
    ['VNC, SPICE agent turned off', display('vnc', false), linux, { protocol: 'vnc', clipboard: false }],
    ['VNC on a QEMU without qemu-vdagent', display('vnc'), noVdagent, { protocol: 'vnc', clipboard: false }],
    ['VNC on facts that never probed it', display('vnc'), unprobed, { protocol: 'vnc', clipboard: false }],
    ['SPICE asked of a QEMU without SPICE', display('spice'), HOSTS['darwin-arm64-hvf'], { protocol: 'vnc', clipboard: true }],
  ];
  for (const [name, edit, facts, want] of table) {
    const config = presetConfig('linux-desktop', edit);
    const paths = pathsFor(facts.os);
    const target = consoleTargetFor(config, facts, paths);
    assert.deepEqual(target, { ...want, endpoint: want.protocol === 'spice' ? paths.spice : paths.vnc }, name);
  }
});

test('consoleTargetFor: a VM without a display has no screen to open', () => {
  const config = presetConfig('linux-desktop', (c) => ({ ...c, display: { ...c.display, type: 'none' } }));
  assert.throws(() => consoleTargetFor(config, linux, pathsFor('linux')), (e: unknown) => (e as { code?: string }).code === 'CONFLICT');
});
