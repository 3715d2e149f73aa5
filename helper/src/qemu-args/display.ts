import { OpenUtmError, type QemuBinary, type VmConfig } from '@openutm/shared';
import type { BuildContext } from './build-context';
import { BACKEND_ID, DEVICE_ID } from './device-ids';
import { jsonOption, optionString, type QemuOption } from './option-string';

export type DisplayProtocol = 'spice' | 'vnc' | 'none';

// The console protocol this VM gets: SPICE where the QEMU build has it, else VNC (Homebrew's
// QEMU has no SPICE); the same console works over both.
export function resolveDisplayProtocol(config: VmConfig, binary: QemuBinary, warnings: string[]): DisplayProtocol {
  if (config.display.type === 'spice' && !binary.spice) {
    warnings.push(`${binary.path} was built without SPICE, so the console uses VNC: no automatic guest resolution, sound or file drops (the clipboard is still shared where QEMU has qemu-vdagent)`);
    return 'vnc';
  }
  return config.display.type;
}

type VideoDevice = 'virtio-vga' | 'qxl-vga' | 'VGA' | 'virtio-gpu-pci' | 'ramfb';

// The guest's graphics adapter. 'default' follows the preset: virtio-vga for Linux (drivers in
// every kernel), qxl-vga for Windows (SPICE guest tools), plain VGA for the rest. QXL only
// exists in SPICE builds. aarch64 has no VGA-compatible adapters: Windows on ARM needs ramfb
// (it has no virtio-gpu driver), everything else virtio-gpu-pci.
export function videoDevice(ctx: BuildContext): VideoDevice | null {
  if (ctx.display === 'none') return null;
  const { preset, display } = ctx.config;
  const windows = preset.startsWith('windows');
  if (ctx.config.system.architecture === 'aarch64') {
    if (display.device === 'ramfb' || (windows && display.device !== 'virtio-gpu-pci' && display.device !== 'virtio-vga')) return 'ramfb';
    return 'virtio-gpu-pci';
  }
  const wanted: VideoDevice =
    display.device !== 'default' ? display.device : preset.startsWith('linux') ? 'virtio-vga' : windows ? 'qxl-vga' : 'VGA';
  if (wanted === 'qxl-vga' && !ctx.binary.spice) {
    ctx.warnings.push(`${ctx.binary.path} has no QXL adapter (it comes with SPICE), so this VM gets a standard VGA adapter`);
    return 'VGA';
  }
  return wanted;
}

// The adapter, the SPICE or VNC server, and -display none: the helper has no window, the
// console lives in the browser.
export function displayOptions(ctx: BuildContext): QemuOption[] {
  const device = videoDevice(ctx);
  const options: QemuOption[] = [['-display', 'none']];
  if (device !== null) {
    // ramfb is a plain framebuffer, not a PCI device, and takes no id.
    options.push(['-device', device === 'ramfb' ? 'ramfb' : optionString(device, { id: DEVICE_ID.video })]);
  }
  if (ctx.display === 'spice') options.push(...spiceOptions(ctx));
  if (ctx.display === 'vnc') options.push(...vncOptions(ctx));
  return options;
}

// The password of a loopback-TCP display, as a secret object read from the 0600 file the engine
// writes before the start (display-password.ts): a password given inline would show in every
// process listing, to every local user. JSON form, so any character in the path is fine.
function displaySecret(ctx: BuildContext): { option: QemuOption; id: string } {
  const secret = jsonOption({ 'qom-type': 'secret', id: BACKEND_ID.displaySecret, file: ctx.paths.displayPassword, format: 'raw' });
  return { option: ['-object', secret], id: BACKEND_ID.displaySecret };
}

function spiceOptions(ctx: BuildContext): QemuOption[] {
  const endpoint = ctx.paths.spice;
  if (endpoint.kind === 'unix') {
    // Only the helper's user can reach the socket (0700 runtime dir), so no ticket. Images go
    // uncompressed: the stream only crosses a local socket to the console bridge, compressing
    // it costs CPU for nothing, and spice-html5 does not decode every SPICE codec (GLZ).
    return [
      [
        '-spice',
        optionString(null, { unix: true, addr: endpoint.path, 'disable-ticketing': true, 'image-compression': 'off' }),
      ],
    ];
  }
  // Loopback TCP (Windows): any local program can connect, so ticketing stays on, with the
  // per-run password that console.open hands to the browser.
  const secret = displaySecret(ctx);
  return [
    secret.option,
    [
      '-spice',
      optionString(null, {
        port: endpoint.port,
        addr: endpoint.host,
        'password-secret': secret.id,
        'image-compression': 'off',
      }),
    ],
  ];
}

// Lowest TCP port QEMU's VNC server can take: it listens on 5900 + display number.
const VNC_BASE_PORT = 5900;

function vncOptions(ctx: BuildContext): QemuOption[] {
  const endpoint = ctx.paths.vnc;
  if (endpoint.kind === 'unix') {
    // The key is written out: `-vnc` reads an unnamed first value as a key if it holds '='.
    return [['-vnc', optionString(null, { vnc: `unix:${endpoint.path}` })]];
  }
  if (endpoint.port < VNC_BASE_PORT) {
    throw new OpenUtmError('INTERNAL', `a VNC port must be ${VNC_BASE_PORT} or above (QEMU counts displays from there), got ${endpoint.port}; pick the VNC port from that range`);
  }
  // VNC passwords are DES keys: only their first 8 characters count (display-password.ts).
  ctx.warnings.push(
    "this VM's VNC console listens on a loopback TCP port, and VNC checks only 8 characters of its password, so another user of this computer could guess it; use a SPICE display where QEMU has it",
  );
  const secret = displaySecret(ctx);
  return [secret.option, ['-vnc', optionString(null, { vnc: `${endpoint.host}:${endpoint.port - VNC_BASE_PORT}`, 'password-secret': secret.id })]];
}
