import { OpenUtmError } from '@openutm/shared';
import type { BuildContext } from './build-context';
import { BACKEND_ID, DEVICE_ID } from './device-ids';
import { socketChardev } from './endpoints';
import { optionString, type QemuOption } from './option-string';

// A TPM 2.0 backed by swtpm, which the service starts before QEMU on the VM's tpm endpoint
// (QEMU connects to it). tpm-crb is the interface Windows 11 expects on x86; aarch64 'virt'
// only takes the sysbus TIS device.
export function tpmOptions(ctx: BuildContext): QemuOption[] {
  if (!ctx.config.system.tpm) return [];
  if (ctx.host.swtpm === null) {
    throw new OpenUtmError(
      'CONFIG_INVALID',
      `this VM has a TPM, which needs swtpm, and swtpm is not installed; ${swtpmHint(ctx)} — or turn the TPM off in the VM settings`,
    );
  }
  const device = ctx.config.system.architecture === 'aarch64' ? 'tpm-tis-device' : 'tpm-crb';
  return [
    ['-chardev', socketChardev(BACKEND_ID.tpmChardev, ctx.paths.tpm, 'connect')],
    ['-tpmdev', optionString('emulator', { id: BACKEND_ID.tpm, chardev: BACKEND_ID.tpmChardev })],
    ['-device', optionString(device, { id: DEVICE_ID.tpm, tpmdev: BACKEND_ID.tpm })],
  ];
}

function swtpmHint(ctx: BuildContext): string {
  switch (ctx.host.os) {
    case 'linux':
      return 'install it (Debian/Ubuntu: swtpm swtpm-tools, Fedora: swtpm swtpm-tools, Arch: swtpm)';
    case 'darwin':
      return 'install it with `brew install swtpm`';
    case 'win32':
      return 'put a Windows build of swtpm on PATH';
  }
}
