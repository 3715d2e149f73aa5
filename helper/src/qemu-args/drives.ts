import type { DiskConfig, RemovableMedia, VmConfig } from '@openutm/shared';
import { fileInVmFolder, type BuildContext } from './build-context';
import { busOf, DEVICE_ID, diskNodeName, mediaNodeName } from './device-ids';
import { planDriveBuses, type DriveBuses, type IdeSlot } from './drive-buses';
import { jsonOption, optionString, type QemuOption } from './option-string';

// Disk serials show up in the guest (/dev/disk/by-id); NVMe and virtio-blk keep 20 characters.
const SERIAL_LENGTH = 20;

// bootindex per drive id. 'auto' boots from a CD while a disc is in it (installing), from the
// disk otherwise; 'cdrom' and 'disk' force the order. Drives holding a disc come before empty
// ones. Numbering starts at 1: with -kernel, QEMU gives its Linux loader index 0.
export function bootIndexes(config: VmConfig): Map<string, number> {
  const withDisc = config.removable.filter((r) => r.iso !== null).map((r) => r.id);
  const empty = config.removable.filter((r) => r.iso === null).map((r) => r.id);
  const disks = config.disks.map((d) => d.id);
  const cdFirst = config.boot === 'cdrom' || (config.boot === 'auto' && withDisc.length > 0);
  const order = cdFirst ? [...withDisc, ...empty, ...disks] : [...disks, ...withDisc, ...empty];
  return new Map(order.map((id, i) => [id, i + 1]));
}

// Disks and removable drives, with the controllers they need first.
export function driveOptions(ctx: BuildContext): QemuOption[] {
  const buses = planDriveBuses(ctx);
  const boot = bootIndexes(ctx.config);
  return [
    ...buses.controllers,
    ...ctx.config.disks.flatMap((disk, i) => diskOptions(ctx, disk, i, buses, boot.get(disk.id))),
    ...ctx.config.removable.flatMap((media, i) => removableOptions(media, i, buses, boot.get(media.id))),
  ];
}

// One disk: a format node over a file node, the format always stated (a guest that writes a
// qcow2 header into a raw disk must never turn it into a qcow2 on the next boot).
function diskOptions(ctx: BuildContext, disk: DiskConfig, index: number, buses: DriveBuses, bootindex: number | undefined): QemuOption[] {
  const node = diskNodeName(index);
  const writable = !disk.readOnly;
  const overlay = writable ? ctx.opts.tryOverlays?.[disk.id] : undefined;
  const blockdev = jsonOption({
    driver: overlay === undefined ? disk.format : 'qcow2',
    'node-name': node,
    'read-only': disk.readOnly,
    // A guest's TRIM frees host space, and zeroed blocks become holes instead of data.
    ...(writable ? { discard: 'unmap', 'detect-zeroes': 'unmap' } : {}),
    file: {
      driver: 'file',
      'node-name': `${node}-file`,
      filename: fileInVmFolder(ctx, overlay ?? disk.file),
      'read-only': disk.readOnly,
      ...(writable ? { discard: 'unmap' } : {}),
      // The host page cache (direct=off): O_DIRECT does not exist on macOS, fails on tmpfs, and
      // a desktop VM manager gains nothing from bypassing the cache.
      cache: { direct: false, 'no-flush': false },
    },
  });
  const serial = disk.id.slice(0, SERIAL_LENGTH);
  let device: string;
  switch (disk.interface) {
    case 'virtio':
      device = optionString('virtio-blk-pci', { id: disk.id, drive: node, serial, bootindex });
      break;
    case 'nvme':
      // QEMU refuses an NVMe controller without a serial.
      device = optionString('nvme', { id: disk.id, drive: node, serial, bootindex });
      break;
    case 'sata':
    case 'ide':
      device = optionString('ide-hd', { id: disk.id, ...slotProps(buses.ideSlots.get(disk.id)), drive: node, bootindex });
      break;
    case 'usb':
      device = optionString('usb-storage', { id: disk.id, bus: busOf(DEVICE_ID.usb), drive: node, removable: false, bootindex });
      break;
  }
  return [
    ['-blockdev', blockdev],
    ['-device', device],
  ];
}

// One CD drive, with the disc as a read-only raw node or no node at all (an empty drive).
// The device id is the config id, which the service hands to blockdev-change-medium and eject.
function removableOptions(media: RemovableMedia, index: number, buses: DriveBuses, bootindex: number | undefined): QemuOption[] {
  const options: QemuOption[] = [];
  const node = media.iso === null ? undefined : mediaNodeName(index);
  if (media.iso !== null) {
    options.push([
      '-blockdev',
      jsonOption({
        driver: 'raw',
        'node-name': node,
        'read-only': true,
        file: { driver: 'file', 'node-name': `${node}-file`, filename: media.iso, 'read-only': true },
      }),
    ]);
  }
  switch (media.interface) {
    case 'sata':
    case 'ide':
      options.push(['-device', optionString('ide-cd', { id: media.id, ...slotProps(buses.ideSlots.get(media.id)), drive: node, bootindex })]);
      break;
    case 'scsi':
      options.push(['-device', optionString('scsi-cd', { id: media.id, bus: buses.scsiBus ?? undefined, drive: node, bootindex })]);
      break;
    case 'usb': {
      // usb-storage cannot be empty; a USB bulk-only transport with a SCSI CD on it can.
      const transport = `usb_cd_${index}`;
      options.push(['-device', optionString('usb-bot', { id: transport, bus: busOf(DEVICE_ID.usb) })]);
      options.push(['-device', optionString('scsi-cd', { id: media.id, bus: busOf(transport), drive: node, bootindex })]);
      break;
    }
  }
  return options;
}

function slotProps(slot: IdeSlot | undefined): { bus?: string; unit?: number } {
  return slot === undefined ? {} : { bus: slot.bus, unit: slot.unit };
}

// Direct kernel boot. These three take their value verbatim (QEMU stores them as machine
// properties without parsing), so nothing is escaped: a comma in the path or the command line
// is just a comma.
export function linuxBootOptions(ctx: BuildContext): QemuOption[] {
  const lb = ctx.config.linuxBoot;
  if (lb === null) return [];
  const options: QemuOption[] = [['-kernel', lb.kernel]];
  if (lb.initrd !== null) options.push(['-initrd', lb.initrd]);
  if (lb.cmdline !== '') options.push(['-append', lb.cmdline]);
  return options;
}
