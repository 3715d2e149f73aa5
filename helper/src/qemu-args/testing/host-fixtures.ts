import type { FirmwareFiles, HostFacts, QemuBinary } from '@openutm/shared';

// Host facts for the table tests: one per host OS the helper supports, as the probes would
// report them on a typical machine.

const X86_MACHINES = ['pc', 'pc-i440fx-7.2', 'q35', 'pc-q35-7.2', 'microvm', 'isapc', 'none'];
const ARM_MACHINES = ['virt', 'virt-7.2', 'raspi3b', 'none'];

function qemu(architecture: QemuBinary['architecture'], path: string, extra: Partial<QemuBinary>): QemuBinary {
  return {
    architecture,
    path,
    version: '8.2.0',
    spice: true,
    sandbox: false,
    vdagent: true,
    accelerators: ['tcg'],
    machines: architecture === 'x86_64' ? X86_MACHINES : ARM_MACHINES,
    ...extra,
  };
}

function fw(architecture: FirmwareFiles['architecture'], code: string, vars: string, secureBoot: boolean): FirmwareFiles {
  return { architecture, code, vars, secureBoot };
}

export const LINUX_X64_KVM: HostFacts = {
  os: 'linux',
  arch: 'x64',
  cpus: 16,
  memoryMiB: 32768,
  qemu: [
    qemu('x86_64', '/usr/bin/qemu-system-x86_64', { sandbox: true, accelerators: ['kvm', 'tcg'] }),
    qemu('aarch64', '/usr/bin/qemu-system-aarch64', { sandbox: true, accelerators: ['kvm', 'tcg'] }),
  ],
  qemuImg: '/usr/bin/qemu-img',
  swtpm: '/usr/bin/swtpm',
  accelerators: ['kvm', 'tcg'],
  firmware: [
    fw('x86_64', '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd', '/usr/share/OVMF/OVMF_VARS_4M.ms.fd', true),
    fw('x86_64', '/usr/share/OVMF/OVMF_CODE_4M.fd', '/usr/share/OVMF/OVMF_VARS_4M.fd', false),
    fw('aarch64', '/usr/share/AAVMF/AAVMF_CODE.fd', '/usr/share/AAVMF/AAVMF_VARS.fd', false),
  ],
  problems: [],
};

// Homebrew's QEMU: no SPICE, no seccomp.
const HOMEBREW_FIRMWARE = [
  fw('x86_64', '/opt/homebrew/share/qemu/edk2-x86_64-code.fd', '/opt/homebrew/share/qemu/edk2-i386-vars.fd', false),
  fw('x86_64', '/opt/homebrew/share/qemu/edk2-x86_64-secure-code.fd', '/opt/homebrew/share/qemu/edk2-i386-vars.fd', true),
  fw('aarch64', '/opt/homebrew/share/qemu/edk2-aarch64-code.fd', '/opt/homebrew/share/qemu/edk2-arm-vars.fd', false),
];

export const DARWIN_ARM64_HVF: HostFacts = {
  os: 'darwin',
  arch: 'arm64',
  cpus: 10,
  memoryMiB: 16384,
  qemu: [
    qemu('x86_64', '/opt/homebrew/bin/qemu-system-x86_64', { spice: false, accelerators: ['tcg'] }),
    qemu('aarch64', '/opt/homebrew/bin/qemu-system-aarch64', { spice: false, accelerators: ['hvf', 'tcg'] }),
  ],
  qemuImg: '/opt/homebrew/bin/qemu-img',
  swtpm: '/opt/homebrew/bin/swtpm',
  accelerators: ['hvf', 'tcg'],
  firmware: HOMEBREW_FIRMWARE,
  problems: [],
};

export const DARWIN_X64_HVF: HostFacts = {
  os: 'darwin',
  arch: 'x64',
  cpus: 8,
  memoryMiB: 16384,
  qemu: [
    qemu('x86_64', '/usr/local/bin/qemu-system-x86_64', { spice: false, accelerators: ['hvf', 'tcg'] }),
    qemu('aarch64', '/usr/local/bin/qemu-system-aarch64', { spice: false, accelerators: ['hvf', 'tcg'] }),
  ],
  qemuImg: '/usr/local/bin/qemu-img',
  swtpm: '/usr/local/bin/swtpm',
  accelerators: ['hvf', 'tcg'],
  firmware: HOMEBREW_FIRMWARE.map((f) => ({ ...f, code: f.code.replace('/opt/homebrew', '/usr/local'), vars: f.vars.replace('/opt/homebrew', '/usr/local') })),
  problems: [],
};

export const WIN32_X64_WHPX: HostFacts = {
  os: 'win32',
  arch: 'x64',
  cpus: 12,
  memoryMiB: 32768,
  qemu: [
    qemu('x86_64', 'C:\\Program Files\\qemu\\qemu-system-x86_64.exe', { accelerators: ['whpx', 'tcg'] }),
    qemu('aarch64', 'C:\\Program Files\\qemu\\qemu-system-aarch64.exe', { accelerators: ['tcg'] }),
  ],
  qemuImg: 'C:\\Program Files\\qemu\\qemu-img.exe',
  swtpm: 'C:\\Program Files\\swtpm\\swtpm.exe',
  accelerators: ['whpx', 'tcg'],
  firmware: [
    fw('x86_64', 'C:\\Program Files\\qemu\\share\\edk2-x86_64-code.fd', 'C:\\Program Files\\qemu\\share\\edk2-i386-vars.fd', false),
    fw('x86_64', 'C:\\Program Files\\qemu\\share\\edk2-x86_64-secure-code.fd', 'C:\\Program Files\\qemu\\share\\edk2-i386-vars.fd', true),
    fw('aarch64', 'C:\\Program Files\\qemu\\share\\edk2-aarch64-code.fd', 'C:\\Program Files\\qemu\\share\\edk2-arm-vars.fd', false),
  ],
  problems: [],
};

export const HOSTS = { 'linux-x64-kvm': LINUX_X64_KVM, 'darwin-arm64-hvf': DARWIN_ARM64_HVF, 'darwin-x64-hvf': DARWIN_X64_HVF, 'win32-x64-whpx': WIN32_X64_WHPX } as const;

// This machine (Debian 12, QEMU 7.2 without KVM), for the tests that really start QEMU.
export const THIS_DEBIAN_MACHINE: HostFacts = {
  os: 'linux',
  arch: 'x64',
  cpus: 2,
  memoryMiB: 4096,
  qemu: [
    {
      architecture: 'x86_64',
      path: '/usr/bin/qemu-system-x86_64',
      version: '7.2.22',
      spice: true,
      sandbox: true,
      vdagent: true,
      accelerators: ['tcg', 'kvm'],
      machines: X86_MACHINES,
    },
  ],
  qemuImg: '/usr/bin/qemu-img',
  swtpm: null,
  accelerators: ['tcg'],
  firmware: [
    fw('x86_64', '/usr/share/OVMF/OVMF_CODE_4M.fd', '/usr/share/OVMF/OVMF_VARS_4M.fd', false),
    fw('x86_64', '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd', '/usr/share/OVMF/OVMF_VARS_4M.ms.fd', true),
  ],
  problems: [],
};
