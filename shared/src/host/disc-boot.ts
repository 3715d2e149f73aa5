import { z } from 'zod';

// What a disc image can boot, read from its El Torito boot catalogue by host.inspectMedia:
// `bios` for an x86 BIOS entry, `uefi` for an EFI one; `format` says whether it is ISO 9660 at all.
export const DiscBoot = z.object({
  path: z.string(),
  format: z.enum(['iso9660', 'unknown']),
  bios: z.boolean(),
  uefi: z.boolean(),
});
export type DiscBoot = z.infer<typeof DiscBoot>;

export type BootFirmware = 'bios' | 'uefi';

// The firmware a new VM should get for this disc: the preset's when the disc boots with it,
// else the one the disc has an entry for; a disc without any keeps the preset's.
export function firmwareForDisc(preferred: BootFirmware, boot: DiscBoot): BootFirmware {
  if (boot[preferred]) return preferred;
  if (boot.bios) return 'bios';
  if (boot.uefi) return 'uefi';
  return preferred;
}

// Why this firmware will not start this disc, in words for the person choosing; null when it will.
export function discFirmwareProblem(firmware: BootFirmware, boot: DiscBoot): string | null {
  if (boot.format !== 'iso9660') return 'This file is not an ISO 9660 disc image, so the VM cannot start from it; choose the installer’s .iso file.';
  if (!boot.bios && !boot.uefi) return 'This disc has no boot record (it is a data disc), so the VM cannot start from it; choose an installer or live disc.';
  if (boot[firmware]) return null;
  return firmware === 'uefi'
    ? 'This disc boots only with BIOS, and the VM uses UEFI: it will stop at the UEFI shell. Set the firmware to BIOS.'
    : 'This disc boots only with UEFI, and the VM uses BIOS: it will find nothing to boot. Set the firmware to UEFI.';
}
