// Ids of the devices the builder adds on its own. Each holds an underscore, which config ids
// ([a-z0-9-]) cannot, so a disk or drive id from vm.json can never collide with one of these:
// disks and removable drives use their config id as QEMU device id, which is what the service
// passes to blockdev-change-medium and eject.
export const DEVICE_ID = {
  usb: 'usb_xhci',
  virtioSerial: 'virtio_serial',
  ahci: 'ahci_0',
  scsi: 'scsi_0',
  nic: 'nic_0',
  video: 'video_0',
  sound: 'sound_0',
  soundCodec: 'sound_0_codec',
  tablet: 'input_tablet',
  keyboard: 'input_keyboard',
  mouse: 'input_mouse',
  tpm: 'tpm_0',
  guestAgentPort: 'qga_port',
  spiceAgentPort: 'vdagent_port',
} as const;

// Backend ids live in their own namespaces (chardev, netdev, audiodev, tpmdev, secret), so they
// only need to be distinct among themselves.
export const BACKEND_ID = {
  qmp: 'qmp',
  serial: 'serial0',
  guestAgent: 'qga0',
  spiceAgent: 'vdagent',
  tpmChardev: 'chrtpm',
  tpm: 'tpm0',
  net: 'net0',
  audio: 'snd0',
  displaySecret: 'display_password',
} as const;

// A device's child bus is named after the device: `<id>.0`.
export function busOf(deviceId: string, index = 0): string {
  return `${deviceId}.${index}`;
}

// QEMU ids start with a letter and go on with letters, digits, '-', '.', '_' (id_wellformed).
const QEMU_ID = /^[A-Za-z][A-Za-z0-9._-]*$/;

export function isQemuId(id: string): boolean {
  return QEMU_ID.test(id);
}

// Block node names are QEMU ids of at most 31 characters. Config ids may be 32 long, so nodes
// are named by position instead; the service addresses drives by device id, never by node.
export function diskNodeName(index: number): string {
  return `disk${index}`;
}

export function mediaNodeName(index: number): string {
  return `media${index}`;
}

export const FIRMWARE_NODE = { code: 'fw-code', vars: 'fw-vars' } as const;
