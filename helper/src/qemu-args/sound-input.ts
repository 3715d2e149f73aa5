import type { BuildContext } from './build-context';
import { BACKEND_ID, busOf, DEVICE_ID } from './device-ids';
import { optionString, type QemuOption } from './option-string';

// The sound card the preset chose and the audio backend that feeds it. With a SPICE display the
// backend is `spice`: the guest's sound goes out on the SPICE playback channel (and the
// browser's microphone comes in on the record channel), so it plays in the console page.
// Otherwise `none`, the one backend that works on every host without a sound server
// (PulseAudio/CoreAudio/DirectSound backends fail or block when none is running, and QEMU 9+
// refuses a sound card without an explicit audiodev); the guest still sees a working card.
// `spice` cannot be used without -spice: QEMU refuses to start.
export function soundOptions(ctx: BuildContext): QemuOption[] {
  const { sound } = ctx.config;
  if (!sound.enabled) return [];
  const backend: QemuOption = ['-audiodev', optionString(ctx.display === 'spice' ? 'spice' : 'none', { id: BACKEND_ID.audio })];
  if (sound.device === 'AC97') {
    return [backend, ['-device', optionString('AC97', { id: DEVICE_ID.sound, audiodev: BACKEND_ID.audio })]];
  }
  return [
    backend,
    ['-device', optionString(sound.device, { id: DEVICE_ID.sound })],
    ['-device', optionString('hda-duplex', { id: DEVICE_ID.soundCodec, bus: busOf(DEVICE_ID.sound), audiodev: BACKEND_ID.audio })],
  ];
}

// Pointer and keyboard on USB. The tablet reports absolute positions, so the guest cursor
// follows the browser's without grabbing. x86 machines have a PS/2 keyboard and mouse built
// in; aarch64 'virt' has none, so it always gets a USB keyboard, and a USB mouse when the
// tablet is off.
export function inputOptions(ctx: BuildContext): QemuOption[] {
  const bus = busOf(DEVICE_ID.usb);
  const options: QemuOption[] = [];
  if (ctx.config.input.usbTablet) options.push(['-device', optionString('usb-tablet', { id: DEVICE_ID.tablet, bus })]);
  if (ctx.config.system.architecture === 'aarch64') {
    options.push(['-device', optionString('usb-kbd', { id: DEVICE_ID.keyboard, bus })]);
    if (!ctx.config.input.usbTablet) options.push(['-device', optionString('usb-mouse', { id: DEVICE_ID.mouse, bus })]);
  }
  return options;
}
