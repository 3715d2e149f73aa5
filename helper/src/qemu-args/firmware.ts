import { OpenUtmError, type Architecture, type HostOs } from '@openutm/shared';
import type { BuildContext } from './build-context';
import { FIRMWARE_NODE } from './device-ids';
import { jsonOption, optionString, type QemuOption } from './option-string';

// The UEFI flash pair a VM boots from, and where its own variable store lives.
export interface FirmwarePlan {
  code: string;
  // The firmware's empty variable store: copied to `vars` before the first boot.
  varsTemplate: string;
  vars: string;
  secureBoot: boolean;
}

// Decides the firmware: null means SeaBIOS, QEMU's built-in default on x86. aarch64 has no BIOS
// at all, so those VMs always boot UEFI whatever vm.json says.
export function resolveFirmware(ctx: BuildContext): FirmwarePlan | null {
  const { architecture, firmware, secureBoot } = ctx.config.system;
  if (firmware === 'bios' && architecture === 'x86_64') {
    if (secureBoot) ctx.warnings.push('Secure Boot needs UEFI firmware; this VM boots with BIOS, so Secure Boot is off');
    return null;
  }
  if (secureBoot && ctx.machine === 'pc') {
    throw new OpenUtmError('CONFIG_INVALID', 'Secure Boot firmware runs only on the q35 machine; switch the machine to q35 or turn Secure Boot off');
  }
  if (secureBoot && architecture === 'x86_64' && (ctx.accelerator === 'hvf' || ctx.accelerator === 'whpx')) {
    ctx.warnings.push(
      `Secure Boot firmware depends on SMM, which QEMU emulates reliably only under KVM and TCG; if this VM stops at a black screen under ${ctx.accelerator}, turn Secure Boot off`,
    );
  }
  const found = ctx.host.firmware.find((f) => f.architecture === architecture && f.secureBoot === secureBoot);
  if (!found) {
    throw new OpenUtmError(
      'FIRMWARE_NOT_FOUND',
      `no ${secureBoot ? 'Secure Boot ' : ''}UEFI firmware for ${architecture} was found; ${installHint(ctx.host.os, architecture, secureBoot)}`,
      { architecture, secureBoot },
    );
  }
  return { code: found.code, varsTemplate: found.vars, vars: ctx.opts.efiVarsPath, secureBoot };
}

function installHint(os: HostOs, architecture: Architecture, secureBoot: boolean): string {
  switch (os) {
    case 'linux':
      return architecture === 'x86_64'
        ? `install OVMF (Debian/Ubuntu: ovmf, Fedora: edk2-ovmf, Arch: edk2-ovmf)${secureBoot ? ', which includes the Secure Boot build' : ''}, then run \`openutm doctor\``
        : 'install AAVMF (Debian/Ubuntu: qemu-efi-aarch64, Fedora: edk2-aarch64, Arch: edk2-aarch64), then run `openutm doctor`';
    case 'darwin':
      return 'Homebrew\'s QEMU ships edk2 firmware: run `brew install qemu` (or reinstall it), then `openutm doctor`';
    case 'win32':
      return 'the QEMU for Windows installer ships edk2 firmware in its share folder; reinstall QEMU with it, then run `openutm doctor`';
  }
}

// The two flash drives as block nodes: the code read-only and shared by every VM, the variable
// store writable and private to this VM. Both are raw images, so the format is stated, not probed.
export function firmwareOptions(ctx: BuildContext, firmware: FirmwarePlan | null): QemuOption[] {
  if (!firmware) return [];
  const options: QemuOption[] = [
    [
      '-blockdev',
      jsonOption({
        driver: 'raw',
        'node-name': FIRMWARE_NODE.code,
        'read-only': true,
        file: { driver: 'file', filename: firmware.code, 'read-only': true },
      }),
    ],
    [
      '-blockdev',
      jsonOption({
        driver: 'raw',
        'node-name': FIRMWARE_NODE.vars,
        'read-only': false,
        file: { driver: 'file', filename: firmware.vars, 'read-only': false },
      }),
    ],
  ];
  if (firmware.secureBoot && ctx.machine === 'q35') {
    // Only SMM code may write the variable store, which is what makes Secure Boot tamper-proof.
    options.push(['-global', optionString(null, { driver: 'cfi.pflash01', property: 'secure', value: 'on' })]);
  }
  return options;
}
