import { OpenUtmError, type QemuBinary, type VmConfig } from '@openutm/shared';
import type { BuildContext } from './build-context';
import { FIRMWARE_NODE } from './device-ids';
import type { FirmwarePlan } from './firmware';
import { optionString, type QemuOption } from './option-string';

export type MachineType = 'q35' | 'pc' | 'virt';

// The QEMU machine for the VM. x86_64: q35 (PCIe, AHCI built in) unless the VM asks for the
// legacy i440fx 'pc'. aarch64 has one sensible board, 'virt'; the presets are written for x86
// and say q35, so an x86 machine name on an aarch64 VM means "the standard board" there too.
export function resolveMachine(config: VmConfig, binary: QemuBinary): MachineType {
  const requested = config.system.machine;
  let machine: MachineType;
  if (config.system.architecture === 'aarch64') {
    machine = 'virt';
  } else if (requested === 'virt') {
    throw new OpenUtmError('CONFIG_INVALID', `the machine "virt" is for aarch64 VMs; an x86_64 VM uses "q35" (or "pc" for old systems)`);
  } else {
    machine = requested === 'pc' ? 'pc' : 'q35';
  }
  // Probed lists name versioned machines and aliases alike; an empty list means "not probed".
  if (binary.machines.length > 0 && !binary.machines.includes(machine)) {
    throw new OpenUtmError(
      'CONFIG_INVALID',
      `${binary.path} has no "${machine}" machine (it offers ${binary.machines.slice(0, 8).join(', ')}…); install a QEMU build with it`,
    );
  }
  return machine;
}

// -machine: the board, plus the UEFI flash it boots from and SMM for Secure Boot.
export function machineOptions(ctx: BuildContext, firmware: FirmwarePlan | null): QemuOption[] {
  const secureSmm = firmware?.secureBoot === true && ctx.machine === 'q35';
  return [
    [
      '-machine',
      optionString(ctx.machine, {
        // GICv3 where the accelerator offers it: GICv2 caps a VM at 8 CPUs. highmem stays at
        // QEMU's default: since 7.0 QEMU fits the memory map to HVF's address size itself, and
        // highmem=off would cap guest RAM below 4 GiB.
        'gic-version': ctx.machine === 'virt' ? 'max' : undefined,
        // Secure Boot OVMF keeps its variables in SMM-only flash, so SMM must be on (q35 only).
        smm: secureSmm ? true : undefined,
        pflash0: firmware ? FIRMWARE_NODE.code : undefined,
        pflash1: firmware ? FIRMWARE_NODE.vars : undefined,
      }),
    ],
  ];
}

// -smp with an explicit topology: all vCPUs as cores of one socket, because Windows client
// editions use at most two sockets and older QEMU versions default to one socket per vCPU.
export function smpOptions(ctx: BuildContext): QemuOption[] {
  const n = ctx.config.system.cpus;
  return [['-smp', optionString(null, { cpus: n, sockets: 1, cores: n, threads: 1 })]];
}

// -m in MiB, with the unit written out so nobody has to remember QEMU's default unit.
export function memoryOptions(ctx: BuildContext): QemuOption[] {
  return [['-m', optionString(null, { size: `${ctx.config.system.memoryMiB}M` })]];
}

// -rtc: Windows keeps the hardware clock in local time, everything else in UTC (QEMU's default).
export function clockOptions(ctx: BuildContext): QemuOption[] {
  return ctx.config.preset.startsWith('windows') ? [['-rtc', optionString(null, { base: 'localtime' })]] : [];
}
