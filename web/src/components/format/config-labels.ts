import type { CdInterface, DiskInterface, VmConfig } from '@openutm/shared';

// Human words for the config's internal names, in one table the summary and the settings'
// option lists both read, so a value never shows as `virtio-net-pci` in one place and
// "VirtIO network" in another.

type Choices<K extends string> = Readonly<Record<K, string>>;

export const ACCELERATOR_LABELS: Choices<VmConfig['system']['accelerator']> = {
  auto: 'Automatic (hardware, else emulated)',
  kvm: 'KVM (Linux hardware)',
  hvf: 'Hypervisor.framework (macOS hardware)',
  whpx: 'Hyper-V platform (Windows hardware)',
  tcg: 'Emulated (TCG, slow)',
};

export const MACHINE_LABELS: Choices<VmConfig['system']['machine']> = {
  default: 'Automatic',
  q35: 'Modern PC (Q35)',
  pc: 'Classic PC (i440FX)',
  virt: 'ARM virtual machine (virt)',
};

export const ARCHITECTURE_LABELS: Choices<VmConfig['system']['architecture']> = {
  x86_64: 'Intel/AMD 64-bit (x86_64)',
  aarch64: 'ARM 64-bit (aarch64)',
};

export const FIRMWARE_LABELS: Choices<VmConfig['system']['firmware']> = {
  bios: 'BIOS',
  uefi: 'UEFI',
};

export const NETWORK_MODE_LABELS: Choices<VmConfig['network']['mode']> = {
  user: 'Shared (NAT)',
  none: 'No network',
};

export const NIC_LABELS: Choices<VmConfig['network']['nic']> = {
  'virtio-net-pci': 'VirtIO (fastest)',
  e1000e: 'Intel 82574 (e1000e)',
  e1000: 'Intel PRO/1000 (e1000)',
  rtl8139: 'Realtek RTL8139 (old guests)',
};

export const DISPLAY_TYPE_LABELS: Choices<VmConfig['display']['type']> = {
  spice: 'SPICE (clipboard, resize)',
  vnc: 'VNC',
  none: 'No screen (serial console only)',
};

export const DISPLAY_DEVICE_LABELS: Choices<VmConfig['display']['device']> = {
  default: 'Automatic',
  'virtio-vga': 'VirtIO graphics',
  'qxl-vga': 'QXL graphics',
  VGA: 'Standard VGA',
  'virtio-gpu-pci': 'VirtIO GPU (no VGA)',
  ramfb: 'Simple framebuffer (ramfb)',
};

export const SOUND_DEVICE_LABELS: Choices<VmConfig['sound']['device']> = {
  'intel-hda': 'Intel HD Audio',
  'ich9-intel-hda': 'Intel HD Audio (ICH9)',
  AC97: "AC'97 (old guests)",
};

export const BOOT_LABELS: Choices<VmConfig['boot']> = {
  auto: 'Automatic (a disc first, if inserted)',
  cdrom: 'CD drive',
  disk: 'Disk',
};

// How a drive is plugged in, by the bus's own name as people write it.
export const BUS_NAMES: Choices<DiskInterface | CdInterface> = {
  virtio: 'VirtIO',
  nvme: 'NVMe',
  sata: 'SATA',
  ide: 'IDE',
  usb: 'USB',
  scsi: 'SCSI',
};

// A label table as the option list of a select, in the table's order.
export function optionsOf<K extends string>(labels: Choices<K>): Array<{ value: K; label: string }> {
  return (Object.keys(labels) as K[]).map((value) => ({ value, label: labels[value] }));
}

// The summary's short form: the words before any explanation in brackets.
export function shortLabel(label: string): string {
  const cut = label.indexOf(' (');
  return cut > 0 ? label.slice(0, cut) : label;
}
