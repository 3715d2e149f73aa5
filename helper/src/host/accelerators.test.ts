import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Accelerator } from '@openutm/shared';
import { hvSupported, kvmDeviceState, usableAccelerators, type AcceleratorInput, type HardwareState } from './accelerators';
import type { ProgramOutput } from './run-program';

const cases: Array<[string, AcceleratorInput, Accelerator[], HardwareState]> = [
  ['linux with usable /dev/kvm', { os: 'linux', listed: ['tcg', 'kvm'], kvmDevice: 'usable' }, ['kvm', 'tcg'], 'usable'],
  ['linux without /dev/kvm', { os: 'linux', listed: ['tcg', 'kvm'], kvmDevice: 'missing' }, ['tcg'], 'no-device'],
  ['linux, /dev/kvm not ours', { os: 'linux', listed: ['tcg', 'kvm'], kvmDevice: 'no-access' }, ['tcg'], 'no-access'],
  ['linux, QEMU built without kvm', { os: 'linux', listed: ['tcg'], kvmDevice: 'usable' }, ['tcg'], 'not-in-binary'],
  ['linux, no host-architecture QEMU', { os: 'linux', listed: null, kvmDevice: 'usable' }, ['tcg'], 'no-binary'],
  ['macOS with Hypervisor.framework', { os: 'darwin', listed: ['tcg', 'hvf'], hvSupport: true }, ['hvf', 'tcg'], 'usable'],
  ['macOS inside a VM', { os: 'darwin', listed: ['tcg', 'hvf'], hvSupport: false }, ['tcg'], 'host-unsupported'],
  ['macOS lists kvm? still only hvf counts', { os: 'darwin', listed: ['kvm', 'tcg'], hvSupport: true }, ['tcg'], 'not-in-binary'],
  ['Windows listing whpx: usable but unverified', { os: 'win32', listed: ['tcg', 'whpx'] }, ['whpx', 'tcg'], 'unverified'],
  ['Windows without whpx', { os: 'win32', listed: ['tcg'] }, ['tcg'], 'not-in-binary'],
  ['linux, /dev/kvm opens but the probe guest failed', { os: 'linux', listed: ['tcg', 'kvm'], kvmDevice: 'usable', probe: { ok: false } }, ['tcg'], 'probe-failed'],
  ['linux, /dev/kvm opens and the probe guest ran', { os: 'linux', listed: ['tcg', 'kvm'], kvmDevice: 'usable', probe: { ok: true } }, ['kvm', 'tcg'], 'usable'],
  ['macOS, HVF failing its probe', { os: 'darwin', listed: ['tcg', 'hvf'], hvSupport: true, probe: { ok: false } }, ['tcg'], 'probe-failed'],
  ['Windows, whpx proven by its probe', { os: 'win32', listed: ['tcg', 'whpx'], probe: { ok: true } }, ['whpx', 'tcg'], 'usable'],
  ['Windows, whpx failing its probe', { os: 'win32', listed: ['tcg', 'whpx'], probe: { ok: false } }, ['tcg'], 'probe-failed'],
  ['a probe never overrides a missing device', { os: 'linux', listed: ['tcg', 'kvm'], kvmDevice: 'missing', probe: { ok: true } }, ['tcg'], 'no-device'],
];

for (const [name, input, expected, state] of cases) {
  test(`usableAccelerators — ${name}`, () => {
    const got = usableAccelerators(input);
    assert.deepEqual(got.accelerators, expected);
    assert.equal(got.hardware.state, state);
    assert.equal(got.accelerators.at(-1), 'tcg');
  });
}

test('kvmDeviceState: missing vs usable (read-write)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'openutm-kvm-'));
  try {
    const dev = path.join(dir, 'kvm');
    assert.equal(await kvmDeviceState(dev), 'missing');
    await writeFile(dev, '');
    await chmod(dev, 0o600);
    assert.equal(await kvmDeviceState(dev), 'usable');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('kvmDeviceState: present but not read-write for this user', { skip: process.getuid?.() === 0 ? 'root may open anything' : false }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'openutm-kvm-'));
  try {
    const dev = path.join(dir, 'kvm');
    await writeFile(dev, '');
    await chmod(dev, 0o400);
    assert.equal(await kvmDeviceState(dev), 'no-access');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('hvSupported trusts only a clean "1" from sysctl', async () => {
  const answer = (out: Partial<ProgramOutput>) => async () => ({ exited: true, code: 0, stdout: '', stderr: '', ...out });
  assert.equal(await hvSupported(answer({ stdout: '1\n' })), true);
  assert.equal(await hvSupported(answer({ stdout: '0\n' })), false);
  assert.equal(await hvSupported(answer({ exited: false, code: null, failure: 'not found' })), false);
});
