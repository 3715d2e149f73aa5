import { OpenUtmError, type Accelerator, type Architecture, type HostFacts, type QemuBinary, type VmConfig } from '@openutm/shared';
import type { BuildContext } from './build-context';
import { optionString, PLAIN_HEAD, type QemuOption } from './option-string';

export interface AcceleratorChoice {
  accelerator: Accelerator;
  warnings: string[];
}

// Hardware acceleration runs only guests of the host's own architecture.
export function isNativeGuest(architecture: Architecture, hostArch: HostFacts['arch']): boolean {
  return (architecture === 'x86_64' && hostArch === 'x64') || (architecture === 'aarch64' && hostArch === 'arm64');
}

// The accelerators this VM can use here, best first: those that work on the host (hardware ones
// only for a guest of the host's architecture) and that this QEMU binary was built with.
export function usableAccelerators(architecture: Architecture, host: HostFacts, binary: QemuBinary): Accelerator[] {
  const native = isNativeGuest(architecture, host.arch);
  const working = host.accelerators.includes('tcg') ? host.accelerators : [...host.accelerators, 'tcg' as const];
  return working.filter((a) => binary.accelerators.includes(a) && (a === 'tcg' || native));
}

// Picks the accelerator: the caller's override (OPENUTM_ACCEL) wins over the VM's setting, and
// 'auto' takes the best usable one. An explicit choice that cannot work is an error rather than
// a silent fallback, because "kvm" quietly becoming a 50× slower TCG hides the real problem.
export function chooseAccelerator(
  config: VmConfig,
  host: HostFacts,
  binary: QemuBinary,
  override: Accelerator | undefined,
): AcceleratorChoice {
  const { architecture } = config.system;
  const usable = usableAccelerators(architecture, host, binary);
  const requested = override ?? config.system.accelerator;
  const source = override ? 'OPENUTM_ACCEL' : 'the VM setting';
  if (requested !== 'auto') {
    if (usable.includes(requested)) return { accelerator: requested, warnings: [] };
    const failedProbe = host.acceleratorProbe?.accelerator === requested && !host.acceleratorProbe.ok ? host.acceleratorProbe : undefined;
    const why =
      requested !== 'tcg' && !isNativeGuest(architecture, host.arch)
        ? `hardware acceleration only runs guests of the host's own architecture, and this ${architecture} guest runs on a ${host.arch} host`
        : failedProbe
          ? `${requested} failed its probe boot here (${failedProbe.reason ?? 'no reason given'})`
          : `${requested} is not available here`;
    throw new OpenUtmError(
      'CONFIG_INVALID',
      `accelerator ${requested} (from ${source}) cannot run this VM: ${why}. Usable here: ${usable.join(', ') || 'none'}; choose one of them or 'auto'.`,
      { requested, usable },
    );
  }
  const best = usable[0];
  if (best === undefined) {
    throw new OpenUtmError(
      'CONFIG_INVALID',
      `${binary.path} has neither hardware acceleration for this ${architecture} guest nor TCG emulation; install a full QEMU build (\`openutm doctor\` says which).`,
    );
  }
  return { accelerator: best, warnings: best === 'tcg' ? [tcgWarning(architecture, host)] : [] };
}

// Why 'auto' ended at TCG, in the words the VM's launch warnings show: the hardware
// accelerator's failed probe boot (QEMU's reason), no hardware accelerator, or a foreign guest.
function tcgWarning(architecture: Architecture, host: HostFacts): string {
  if (!isNativeGuest(architecture, host.arch)) {
    return `this ${architecture} guest runs emulated (TCG) on a ${host.arch} host, which is much slower than a guest of the host's own architecture`;
  }
  const probe = host.acceleratorProbe;
  if (probe && !probe.ok) {
    return `${probe.accelerator.toUpperCase()} is present but failed its probe boot (${probe.reason ?? 'no reason given'}), so this VM runs emulated (TCG) and will be slow; \`openutm doctor\` says more`;
  }
  const name = host.os === 'linux' ? 'KVM' : host.os === 'darwin' ? 'HVF' : 'WHPX';
  return `no hardware accelerator is usable, so this VM runs emulated (TCG) and will be slow; \`openutm doctor\` says how to enable ${name}`;
}

// -accel for the chosen accelerator.
export function acceleratorOptions(ctx: BuildContext): QemuOption[] {
  switch (ctx.accelerator) {
    case 'kvm':
    case 'hvf':
      return [['-accel', ctx.accelerator]];
    case 'whpx':
      // Hyper-V's in-kernel APIC loses MSIs on QEMU 7.x–9.x ("whpx: injection failed, MSI …
      // lost"), leaving guests at a black screen; QEMU's own APIC is slower but works everywhere.
      return [['-accel', optionString('whpx', { 'kernel-irqchip': false })]];
    case 'tcg':
      // No thread=: QEMU turns on multi-threaded TCG by itself wherever the host's memory model
      // is at least as strong as the guest's (aarch64 guests on x86 hosts), and forcing it for
      // x86 guests on arm64 hosts trades guest correctness for speed.
      return [['-accel', 'tcg']];
  }
}

// Hyper-V enlightenments: Windows guests run noticeably smoother with them, and only KVM
// implements them.
const WINDOWS_KVM_FLAGS = { 'hv-relaxed': true, 'hv-vapic': true, 'hv-spinlocks': '0x1fff', 'hv-time': true } as const;

// -cpu: the VM's model, or for 'default' the host CPU under KVM/HVF and `max` otherwise (TCG
// has no host CPU to pass through; QEMU 7.x builds for Windows have no `host` model for WHPX).
export function cpuOptions(ctx: BuildContext): QemuOption[] {
  const { cpuModel } = ctx.config.system;
  const passthrough = ctx.accelerator === 'kvm' || ctx.accelerator === 'hvf';
  if (cpuModel === 'host' && ctx.accelerator === 'tcg') {
    throw new OpenUtmError(
      'CONFIG_INVALID',
      `the CPU model "host" needs hardware acceleration, but this VM runs under TCG; set the CPU model to "default" or "max"`,
    );
  }
  const model = cpuModel === 'default' ? (passthrough ? 'host' : 'max') : cpuModel;
  if (!PLAIN_HEAD.test(model)) {
    throw new OpenUtmError('CONFIG_INVALID', `${JSON.stringify(model)} is not a QEMU CPU model name; \`qemu-system-${ctx.config.system.architecture} -cpu help\` lists them`);
  }
  const windowsOnKvm =
    ctx.accelerator === 'kvm' && ctx.config.system.architecture === 'x86_64' && ctx.config.preset.startsWith('windows');
  return [['-cpu', optionString(model, windowsOnKvm ? WINDOWS_KVM_FLAGS : {})]];
}
