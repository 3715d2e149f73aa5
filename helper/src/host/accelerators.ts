import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Accelerator, HostOs } from '@openutm/shared';
import { runProgram, type RunProgram } from './run-program';

export type HardwareAccelerator = Exclude<Accelerator, 'tcg'>;

// Why the host's hardware accelerator can or cannot be used; the doctor words its advice from it.
export type HardwareState =
  | 'usable'
  // Listed by QEMU but not checkable cheaply (WHPX: only starting a VM tells).
  | 'unverified'
  | 'no-binary'
  | 'not-in-binary'
  | 'no-device'
  // The device or framework is there, but QEMU could not run the probe guest with it.
  | 'probe-failed'
  | 'no-access'
  | 'host-unsupported';

export type KvmDevice = 'usable' | 'missing' | 'no-access';

export interface AcceleratorInput {
  os: HostOs;
  // What the host-architecture QEMU lists in `-accel help`; null when there is no such binary.
  // Only that binary matters: hardware acceleration cannot run a foreign architecture.
  listed: readonly Accelerator[] | null;
  // Linux: the state of /dev/kvm for this user.
  kvmDevice?: KvmDevice;
  // macOS: `sysctl kern.hv_support` said 1.
  hvSupport?: boolean;
  // Whether the probe guest ran under the hardware accelerator; absent when it was not tried.
  probe?: { ok: boolean };
}

// Each host OS has exactly one hardware accelerator QEMU can use.
export function hardwareAcceleratorFor(os: HostOs): HardwareAccelerator {
  return os === 'linux' ? 'kvm' : os === 'darwin' ? 'hvf' : 'whpx';
}

// The accelerators that work here and now, best first, tcg always last, and why the hardware one
// is or is not among them.
export function usableAccelerators(input: AcceleratorInput): {
  accelerators: Accelerator[];
  hardware: { accelerator: HardwareAccelerator; state: HardwareState };
} {
  const accelerator = hardwareAcceleratorFor(input.os);
  const checked = hardwareState(input, accelerator);
  const state = checked === 'usable' || checked === 'unverified' ? probedState(checked, input.probe) : checked;
  const works = state === 'usable' || state === 'unverified';
  return { accelerators: works ? [accelerator, 'tcg'] : ['tcg'], hardware: { accelerator, state } };
}

// A probe that ran decides; without one the cheap checks stand.
function probedState(checked: HardwareState, probe: { ok: boolean } | undefined): HardwareState {
  if (!probe) return checked;
  return probe.ok ? 'usable' : 'probe-failed';
}

// Whether the cheap checks leave the hardware accelerator worth a probe boot.
export function worthProbing(input: AcceleratorInput): boolean {
  const state = hardwareState(input, hardwareAcceleratorFor(input.os));
  return state === 'usable' || state === 'unverified';
}

function hardwareState(input: AcceleratorInput, accelerator: HardwareAccelerator): HardwareState {
  if (input.listed === null) return 'no-binary';
  if (!input.listed.includes(accelerator)) return 'not-in-binary';
  switch (accelerator) {
    case 'kvm':
      return input.kvmDevice === 'usable' ? 'usable' : input.kvmDevice === 'no-access' ? 'no-access' : 'no-device';
    case 'hvf':
      return input.hvSupport ? 'usable' : 'host-unsupported';
    case 'whpx':
      return 'unverified';
  }
}

// Whether this user may open /dev/kvm read-write, which is all QEMU needs from it.
export async function kvmDeviceState(device = '/dev/kvm'): Promise<KvmDevice> {
  try {
    await access(device, constants.F_OK);
  } catch {
    return 'missing';
  }
  try {
    await access(device, constants.R_OK | constants.W_OK);
    return 'usable';
  } catch {
    return 'no-access';
  }
}

// macOS says whether Hypervisor.framework works (it does not inside most VMs, or on old Macs).
export async function hvSupported(run: RunProgram = runProgram): Promise<boolean> {
  const out = await run('/usr/sbin/sysctl', ['-n', 'kern.hv_support'], 2_000);
  return out.exited && out.stdout.trim() === '1';
}
