import { Accelerator, type AcceleratorProbe, type Architecture, type FirmwareFiles, type HostOs, type Problem, type QemuBinary } from '@openutm/shared';
import type { HardwareAccelerator, HardwareState } from './accelerators';
import { installCommand, type Installable, type OsRelease } from './install-hints';

export interface ProblemInput {
  os: HostOs;
  // The guest architecture this host accelerates.
  native: Architecture;
  release: OsRelease | null;
  qemu: readonly QemuBinary[];
  // Files that looked like QEMU but did not answer like it.
  broken: ReadonlyArray<{ path: string; architecture: Architecture; reason: string }>;
  qemuImg: string | null;
  swtpm: string | null;
  firmware: readonly FirmwareFiles[];
  accelerators: readonly Accelerator[];
  hardware: { accelerator: HardwareAccelerator; state: HardwareState };
  // The probe boot of the hardware accelerator, when one ran.
  probe?: AcceleratorProbe;
  // The KVM device checked (OPENUTM_KVM_DEVICE), when not /dev/kvm.
  kvmDevicePath?: string;
  // OPENUTM_QEMU and OPENUTM_ACCEL as set, if set.
  qemuOverride?: string;
  accelOverride?: string;
}

// Everything missing or misconfigured on this host, each with the exact command that fixes it
// here (this OS, this distribution). Errors stop VMs from running at all; warnings cost a feature.
export function hostProblems(input: ProblemInput): Problem[] {
  const install = (what: Installable[], arch: Architecture = input.native) => installCommand(input.os, input.release, what, arch);
  return [
    ...qemuProblems(input, install),
    ...(input.qemuImg ? [] : [error('qemu-img is not installed: disks cannot be created or inspected', install(['qemu-img']))]),
    ...firmwareProblems(input, install),
    ...acceleratorProblems(input, install),
    ...(input.swtpm ? [] : [warning('swtpm is not installed: Windows 11 VMs need its emulated TPM', install(['swtpm']))]),
    ...featureProblems(input, install),
    ...overrideProblems(input),
  ];
}

type Install = (what: Installable[], arch?: Architecture) => string;

function qemuProblems(input: ProblemInput, install: Install): Problem[] {
  const out: Problem[] = input.broken.map((b) =>
    warning(`${b.path} looks like QEMU but does not run: ${b.reason}`, `reinstall it: ${install(['qemu'], b.architecture)}`),
  );
  if (input.qemu.length === 0) {
    const where = input.qemuOverride
      ? `OPENUTM_QEMU=${input.qemuOverride} holds no usable qemu-system-x86_64 or qemu-system-aarch64`
      : 'QEMU is not installed: no qemu-system-x86_64 or qemu-system-aarch64 on PATH or in the usual places';
    const fix = install(['qemu', 'qemu-img', 'firmware']);
    out.push(error(where, input.qemuOverride ? `${fix}, then unset OPENUTM_QEMU or point it at the QEMU binary or its directory` : fix));
  } else if (!input.qemu.some((q) => q.architecture === input.native)) {
    out.push(
      warning(`no qemu-system-${input.native}: VMs of this computer's own architecture cannot run, nor use hardware acceleration`, install(['qemu', 'firmware'])),
    );
  }
  return out;
}

function firmwareProblems(input: ProblemInput, install: Install): Problem[] {
  const out: Problem[] = [];
  for (const q of input.qemu) {
    const arch = q.architecture;
    const own = input.firmware.filter((f) => f.architecture === arch);
    if (own.length === 0) {
      const name = arch === 'x86_64' ? 'OVMF' : 'AAVMF';
      const effect = arch === 'x86_64' ? 'UEFI VMs (Windows 11, most current installers) cannot boot; BIOS VMs still can' : 'aarch64 VMs cannot boot';
      out.push(warning(`no UEFI firmware for ${arch} (${name}): ${effect}`, install(['firmware'], arch)));
    } else if (arch === 'x86_64' && !own.some((f) => f.secureBoot)) {
      out.push(warning('no Secure Boot firmware for x86_64: Windows 11 needs it', install(['firmware'], arch)));
    }
  }
  return out;
}

function acceleratorProblems(input: ProblemInput, install: Install): Problem[] {
  const { accelerator, state } = input.hardware;
  const slow = 'VMs run emulated (TCG), many times slower';
  switch (state) {
    case 'usable':
    case 'unverified':
    case 'no-binary':
      return [];
    case 'probe-failed':
      return [probeProblem(accelerator, input.probe, slow)];
    case 'no-device':
      return [
        warning(
          `KVM is not available: ${input.kvmDevicePath ?? '/dev/kvm'} does not exist, so ${slow}`,
          input.native === 'x86_64'
            ? 'turn on virtualization (Intel VT-x / AMD-V) in the firmware setup, then `sudo modprobe kvm_intel` or `sudo modprobe kvm_amd`; inside a VM, enable nested virtualization'
            : 'use a kernel with KVM; inside a VM, enable nested virtualization',
        ),
      ];
    case 'no-access':
      return [warning(`KVM is not usable: this user may not open /dev/kvm, so ${slow}`, 'sudo usermod -aG kvm $USER, then log out and back in')];
    case 'host-unsupported':
      return [
        warning(
          `Hypervisor.framework is not available (kern.hv_support is not 1), so ${slow}`,
          'nothing to install: this Mac (or the VM this runs in) has no hardware virtualization; run OpenUTM on the Mac itself',
        ),
      ];
    case 'not-in-binary':
      return [warning(`this QEMU build has no ${accelerator.toUpperCase()} support, so ${slow}`, install(['qemu']))];
  }
}

// The accelerator is there but could not run the probe guest: QEMU's words, and what helps.
function probeProblem(accelerator: HardwareAccelerator, probe: AcceleratorProbe | undefined, slow: string): Problem {
  const name = accelerator.toUpperCase();
  const cpu = probe ? ` with CPU model ${probe.cpuModel}` : '';
  const fix =
    accelerator === 'kvm'
      ? 'OpenUTM uses TCG until this is fixed. Inside a cloud VM, nested virtualization may not support this CPU model: ask the provider for nested virtualization with host CPU passthrough, or run OpenUTM on the physical machine; a newer host kernel can help'
      : accelerator === 'hvf'
        ? 'OpenUTM uses TCG until this is fixed: run OpenUTM on the Mac itself (not inside a VM), and update macOS and QEMU'
        : 'OpenUTM uses TCG until this is fixed: turn on "Windows Hypervisor Platform" in Windows Features and restart, or update QEMU';
  return warning(`${name} cannot run guests here: the probe guest failed${cpu} (${probe?.reason ?? 'no reason given'}), so ${slow}`, fix);
}

function featureProblems(input: ProblemInput, install: Install): Problem[] {
  const out: Problem[] = [];
  const noSpice = input.qemu.filter((q) => !q.spice);
  if (noSpice.length > 0) {
    out.push(
      warning(`${noSpice.map((q) => q.path).join(', ')} has no SPICE: the console falls back to VNC (no resizing, sound or file drops; the clipboard only through qemu-vdagent)`, install(['spice'], noSpice[0]!.architecture)),
    );
  }
  // seccomp exists only on Linux; elsewhere no QEMU has -sandbox and nothing can be done.
  const noSandbox = input.os === 'linux' ? input.qemu.filter((q) => !q.sandbox) : [];
  if (noSandbox.length > 0) {
    out.push(
      warning(
        `${noSandbox.map((q) => q.path).join(', ')} has no -sandbox (seccomp): QEMU runs without a system-call filter`,
        `use your distribution's QEMU, which has it: ${install(['qemu'], noSandbox[0]!.architecture)}`,
      ),
    );
  }
  return out;
}

function overrideProblems(input: ProblemInput): Problem[] {
  const raw = input.accelOverride?.trim();
  if (!raw || raw === 'auto') return [];
  const parsed = Accelerator.safeParse(raw);
  if (!parsed.success) {
    return [error(`OPENUTM_ACCEL=${raw} is not an accelerator`, `set OPENUTM_ACCEL to one of auto, ${Accelerator.options.join(', ')}, or unset it`)];
  }
  if (!input.accelerators.includes(parsed.data)) {
    return [
      warning(
        `OPENUTM_ACCEL=${raw} forces an accelerator that does not work here (usable: ${input.accelerators.join(', ')}): VMs will fail to start`,
        'unset OPENUTM_ACCEL, or fix the accelerator as described above',
      ),
    ];
  }
  return [];
}

function error(what: string, fix: string): Problem {
  return { what, fix, severity: 'error' };
}

function warning(what: string, fix: string): Problem {
  return { what, fix, severity: 'warning' };
}
