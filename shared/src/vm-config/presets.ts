import type { DiskInterface, OsPreset, VmConfigInput } from './schema';

// What a preset decides: devices the guest has drivers for, and sizes that make it pleasant.
export interface PresetDefaults {
  label: string;
  system: NonNullable<VmConfigInput['system']>;
  diskSizeMiB: number;
  diskInterface: DiskInterface;
  cdInterface: 'sata' | 'ide' | 'usb' | 'scsi';
  network: NonNullable<VmConfigInput['network']>;
  display: NonNullable<VmConfigInput['display']>;
  sound: NonNullable<VmConfigInput['sound']>;
}

// Windows has no virtio drivers on its install media, so its devices are the emulated classics.
export const PRESETS: Record<OsPreset, PresetDefaults> = {
  'linux-desktop': {
    label: 'Linux (desktop)',
    system: { machine: 'q35', cpus: 2, memoryMiB: 4096, firmware: 'uefi' },
    diskSizeMiB: 32 * 1024,
    diskInterface: 'virtio',
    cdInterface: 'sata',
    network: { mode: 'user', nic: 'virtio-net-pci' },
    display: { type: 'spice', device: 'virtio-vga' },
    sound: { enabled: true, device: 'intel-hda' },
  },
  'linux-server': {
    label: 'Linux (server)',
    system: { machine: 'q35', cpus: 2, memoryMiB: 2048, firmware: 'uefi' },
    diskSizeMiB: 20 * 1024,
    diskInterface: 'virtio',
    cdInterface: 'sata',
    network: { mode: 'user', nic: 'virtio-net-pci' },
    display: { type: 'spice', device: 'virtio-vga' },
    sound: { enabled: false, device: 'intel-hda' },
  },
  'windows-10': {
    label: 'Windows 10',
    system: { machine: 'q35', cpus: 2, memoryMiB: 4096, firmware: 'uefi', tpm: false },
    diskSizeMiB: 64 * 1024,
    diskInterface: 'sata',
    cdInterface: 'sata',
    network: { mode: 'user', nic: 'e1000e' },
    display: { type: 'spice', device: 'qxl-vga' },
    sound: { enabled: true, device: 'ich9-intel-hda' },
  },
  'windows-11': {
    label: 'Windows 11',
    system: { machine: 'q35', cpus: 4, memoryMiB: 8192, firmware: 'uefi', tpm: true, secureBoot: true },
    diskSizeMiB: 80 * 1024,
    diskInterface: 'nvme',
    cdInterface: 'sata',
    network: { mode: 'user', nic: 'e1000e' },
    display: { type: 'spice', device: 'qxl-vga' },
    sound: { enabled: true, device: 'ich9-intel-hda' },
  },
  freebsd: {
    label: 'FreeBSD',
    system: { machine: 'q35', cpus: 2, memoryMiB: 2048, firmware: 'bios' },
    diskSizeMiB: 20 * 1024,
    diskInterface: 'virtio',
    cdInterface: 'sata',
    network: { mode: 'user', nic: 'virtio-net-pci' },
    display: { type: 'spice', device: 'VGA' },
    sound: { enabled: false, device: 'intel-hda' },
  },
  other: {
    label: 'Other / legacy',
    system: { machine: 'pc', cpus: 1, memoryMiB: 1024, firmware: 'bios' },
    diskSizeMiB: 8 * 1024,
    diskInterface: 'ide',
    cdInterface: 'ide',
    network: { mode: 'user', nic: 'rtl8139' },
    display: { type: 'spice', device: 'VGA' },
    sound: { enabled: false, device: 'AC97' },
  },
};
