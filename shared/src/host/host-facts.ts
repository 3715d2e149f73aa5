import { z } from 'zod';
import { Architecture } from '../vm-config/schema';

export const HostOs = z.enum(['linux', 'darwin', 'win32']);
export type HostOs = z.infer<typeof HostOs>;

export const Accelerator = z.enum(['kvm', 'hvf', 'whpx', 'tcg']);
export type Accelerator = z.infer<typeof Accelerator>;

export const QemuBinary = z.object({
  architecture: Architecture,
  path: z.string(),
  version: z.string(),
  // Features probed from the binary itself, not assumed from the version.
  spice: z.boolean(),
  sandbox: z.boolean(),
  // QEMU's own SPICE agent host (the qemu-vdagent chardev, 6.1+, built with spice-protocol): it
  // shares the clipboard of VNC consoles. Absent from facts probed by older helpers: not there.
  vdagent: z.boolean().optional(),
  accelerators: z.array(Accelerator),
  machines: z.array(z.string()),
});
export type QemuBinary = z.infer<typeof QemuBinary>;

export const FirmwareFiles = z.object({
  architecture: Architecture,
  code: z.string(),
  vars: z.string(),
  secureBoot: z.boolean(),
});
export type FirmwareFiles = z.infer<typeof FirmwareFiles>;

export const Problem = z.object({
  what: z.string(),
  fix: z.string(),
  severity: z.enum(['error', 'warning']),
});
export type Problem = z.infer<typeof Problem>;

// The probe boot that proves a hardware accelerator runs guests here (a /dev/kvm that opens may
// still fail to run the CPU model a VM gets): its verdict and, when it failed, QEMU's reason.
export const AcceleratorProbe = z.object({
  accelerator: Accelerator,
  cpuModel: z.string(),
  ok: z.boolean(),
  reason: z.string().nullable(),
  // The verdict was kept from an earlier probe during this boot of the host.
  cached: z.boolean(),
});
export type AcceleratorProbe = z.infer<typeof AcceleratorProbe>;

// Everything the argument builder and the wizard need to know about the host, gathered once.
export const HostFacts = z.object({
  os: HostOs,
  arch: z.enum(['x64', 'arm64']),
  cpus: z.number().int(),
  memoryMiB: z.number().int(),
  qemu: z.array(QemuBinary),
  qemuImg: z.string().nullable(),
  swtpm: z.string().nullable(),
  // What `swtpm --version` says (the doctor shows it); absent from older helpers.
  swtpmVersion: z.string().nullable().optional(),
  // Accelerators that work here and now (e.g. /dev/kvm usable), best first; tcg always last.
  accelerators: z.array(Accelerator),
  firmware: z.array(FirmwareFiles),
  problems: z.array(Problem),
  // Absent where no probe ran (no device, no binary, or an older helper).
  acceleratorProbe: AcceleratorProbe.optional(),
  // The accelerator a VM set to 'auto' really gets, per installed QEMU architecture, after
  // OPENUTM_ACCEL (`override`); absent from older helpers.
  effectiveAccelerators: z.array(z.object({ architecture: Architecture, accelerator: Accelerator, override: z.boolean() })).optional(),
});
export type HostFacts = z.infer<typeof HostFacts>;
