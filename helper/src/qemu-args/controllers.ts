import type { BuildContext } from './build-context';
import { DEVICE_ID } from './device-ids';
import { optionString, type QemuOption } from './option-string';
import { spiceAgentHost } from './sharing';

// Whether anything sits on USB: the tablet, the aarch64 keyboard (virt has no PS/2), USB drives.
export function needsUsb(ctx: BuildContext): boolean {
  const { config } = ctx;
  return (
    config.input.usbTablet ||
    config.system.architecture === 'aarch64' ||
    config.disks.some((d) => d.interface === 'usb') ||
    config.removable.some((r) => r.interface === 'usb')
  );
}

// Whether a guest-side channel exists: the QEMU guest agent, or the SPICE agent when something
// on the host answers it (the SPICE server, or QEMU's vdagent for VNC).
export function needsVirtioSerial(ctx: BuildContext): boolean {
  return ctx.config.sharing.guestAgent || spiceAgentHost(ctx.config, ctx.binary, ctx.display) !== null;
}

// The shared buses, added before any device that plugs into them (QEMU creates devices in
// command-line order). qemu-xhci is USB 3 and handles USB 1/2 devices too, on every machine.
export function controllerOptions(ctx: BuildContext): QemuOption[] {
  const options: QemuOption[] = [];
  if (needsUsb(ctx)) options.push(['-device', optionString('qemu-xhci', { id: DEVICE_ID.usb })]);
  if (needsVirtioSerial(ctx)) options.push(['-device', optionString('virtio-serial-pci', { id: DEVICE_ID.virtioSerial })]);
  return options;
}
