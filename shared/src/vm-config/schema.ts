import { z } from 'zod';
import { KeyboardLayout } from '../keyboard/keyboard-layouts';

// The on-disk format version of vm.json; bump it together with a migration in migrate.ts.
export const VM_CONFIG_SCHEMA_VERSION = 1;

// Ids name folders and runtime sockets, so the helper picks them and they stay short and plain.
export const VmId = z
  .string()
  .regex(/^[a-z0-9]{6,32}$/, 'a VM id is 6 to 32 lowercase letters and digits');
export type VmId = z.infer<typeof VmId>;

// Control characters in a name would corrupt logs and terminal output; anything else is the user's.
export const VmName = z
  .string()
  .trim()
  .min(1, 'a VM needs a name')
  .max(100, 'a VM name is at most 100 characters')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'a VM name cannot contain control characters');

// A file inside the VM's own folder: a bare name, never a path, so a config cannot reach outside.
export const BundleFileName = z
  .string()
  .min(1)
  .max(200)
  .refine(
    (s) => !/[/\\\u0000-\u001f]/.test(s) && s !== '.' && s !== '..',
    'a file in the VM folder is a plain name without slashes',
  );

// A host path the user chose (ISO, kernel). The helper resolves and checks it before QEMU sees it.
export const HostPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((s) => !s.includes('\u0000'), 'a path cannot contain NUL');

export const Architecture = z.enum(['x86_64', 'aarch64']);
export type Architecture = z.infer<typeof Architecture>;

export const AcceleratorChoice = z.enum(['auto', 'kvm', 'hvf', 'whpx', 'tcg']);
export type AcceleratorChoice = z.infer<typeof AcceleratorChoice>;

export const OsPreset = z.enum([
  'linux-desktop',
  'linux-server',
  'windows-10',
  'windows-11',
  'freebsd',
  'other',
]);
export type OsPreset = z.infer<typeof OsPreset>;

export const SystemConfig = z.object({
  architecture: Architecture.default('x86_64'),
  // 'default' lets the argument builder pick q35 (x86_64) or virt (aarch64).
  machine: z.enum(['default', 'q35', 'pc', 'virt']).default('default'),
  accelerator: AcceleratorChoice.default('auto'),
  // 'default' means host passthrough with a hardware accelerator and 'max' under TCG.
  cpuModel: z
    .string()
    .regex(/^[A-Za-z0-9_.+-]{1,64}$/, 'a CPU model is a QEMU model name such as host, max or Skylake-Client')
    .default('default'),
  cpus: z.number().int().min(1).max(256).default(2),
  memoryMiB: z.number().int().min(16).max(1024 * 1024).default(2048),
  firmware: z.enum(['bios', 'uefi']).default('bios'),
  // Windows 11 refuses to install without a TPM 2.0; it is provided by swtpm.
  tpm: z.boolean().default(false),
  secureBoot: z.boolean().default(false),
});
export type SystemConfig = z.infer<typeof SystemConfig>;

export const DiskInterface = z.enum(['virtio', 'nvme', 'sata', 'ide', 'usb']);
export type DiskInterface = z.infer<typeof DiskInterface>;

// Drive ids become QEMU device ids, which must start with a letter.
const DriveId = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a drive id starts with a letter: a-z, digits and dashes');

export const DiskConfig = z.object({
  id: DriveId,
  file: BundleFileName,
  format: z.enum(['qcow2', 'raw']),
  sizeMiB: z.number().int().min(1).max(64 * 1024 * 1024),
  interface: DiskInterface.default('virtio'),
  readOnly: z.boolean().default(false),
});
export type DiskConfig = z.infer<typeof DiskConfig>;

// A disk image still in the VM's folder but not attached (removed with its file kept); it can be
// attached again or deleted for good.
export const DetachedDisk = z.object({
  file: BundleFileName,
  format: DiskConfig.shape.format,
  sizeMiB: DiskConfig.shape.sizeMiB,
});
export type DetachedDisk = z.infer<typeof DetachedDisk>;

export const CdInterface = z.enum(['sata', 'ide', 'usb', 'scsi']);
export type CdInterface = z.infer<typeof CdInterface>;

export const RemovableMedia = z.object({
  id: DriveId,
  // null is an empty drive: the guest sees a CD drive with no disc.
  iso: HostPath.nullable().default(null),
  interface: CdInterface.default('sata'),
});
export type RemovableMedia = z.infer<typeof RemovableMedia>;

export const PortForward = z.object({
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
  // Loopback unless the user deliberately exposes the guest to the network. IPv4 only: QEMU's
  // user-mode hostfwd rejects IPv6 host addresses.
  hostAddress: z.string().ip({ version: 'v4' }).default('127.0.0.1'),
  hostPort: z.number().int().min(1).max(65535),
  guestPort: z.number().int().min(1).max(65535),
});
export type PortForward = z.infer<typeof PortForward>;

export const NetworkConfig = z.object({
  mode: z.enum(['user', 'none']).default('user'),
  nic: z.enum(['virtio-net-pci', 'e1000', 'e1000e', 'rtl8139']).default('virtio-net-pci'),
  mac: z
    .string()
    .regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, 'a MAC address looks like 52:54:00:12:34:56')
    .nullable()
    .default(null),
  portForwards: z.array(PortForward).max(64).default([]),
});
export type NetworkConfig = z.infer<typeof NetworkConfig>;

export const DisplayConfig = z.object({
  // spice falls back to vnc on QEMU builds without SPICE (Homebrew's, for one).
  type: z.enum(['spice', 'vnc', 'none']).default('spice'),
  device: z.enum(['default', 'virtio-vga', 'qxl-vga', 'VGA', 'virtio-gpu-pci', 'ramfb']).default('default'),
});
export type DisplayConfig = z.infer<typeof DisplayConfig>;

export const SoundConfig = z.object({
  enabled: z.boolean().default(false),
  device: z.enum(['intel-hda', 'ich9-intel-hda', 'AC97']).default('intel-hda'),
});

export const InputConfig = z.object({
  // An absolute pointer keeps the browser cursor and the guest cursor together.
  usbTablet: z.boolean().default(true),
});

export const SharingConfig = z.object({
  spiceAgent: z.boolean().default(true),
  guestAgent: z.boolean().default(true),
});

// Direct kernel boot (QEMU -kernel): for kernels under development and for fast test guests.
export const LinuxBootConfig = z.object({
  kernel: HostPath,
  initrd: HostPath.nullable().default(null),
  cmdline: z.string().max(4096).default(''),
});
export type LinuxBootConfig = z.infer<typeof LinuxBootConfig>;

export const VmConfig = z.object({
  schemaVersion: z.literal(VM_CONFIG_SCHEMA_VERSION),
  id: VmId,
  name: VmName,
  preset: OsPreset.default('other'),
  notes: z.string().max(10_000).default(''),
  createdAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
  system: SystemConfig.default({}),
  disks: z.array(DiskConfig).max(16).default([]),
  detachedDisks: z.array(DetachedDisk).max(64).default([]),
  removable: z.array(RemovableMedia).max(4).default([]),
  boot: z.enum(['auto', 'cdrom', 'disk']).default('auto'),
  linuxBoot: LinuxBootConfig.nullable().default(null),
  network: NetworkConfig.default({}),
  display: DisplayConfig.default({}),
  sound: SoundConfig.default({}),
  input: InputConfig.default({}),
  sharing: SharingConfig.default({}),
  // The guest's keyboard layout, for typing text as keystrokes (vm.type); QEMU never sees it.
  keyboardLayout: KeyboardLayout.default('us'),
}).refine((c) => new Set([...c.disks.map((d) => d.id), ...c.removable.map((d) => d.id)]).size === c.disks.length + c.removable.length, {
  message: 'every disk and removable drive needs its own id',
  path: ['disks'],
}).refine((c) => new Set([...c.disks.map((d) => d.file), ...c.detachedDisks.map((d) => d.file)]).size === c.disks.length + c.detachedDisks.length, {
  message: 'two disks cannot share one image file',
  path: ['disks'],
});
export type VmConfig = z.infer<typeof VmConfig>;
export type VmConfigInput = z.input<typeof VmConfig>;
