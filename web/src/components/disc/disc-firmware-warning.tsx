'use client';

import { discFirmwareProblem, type VmConfig } from '@openutm/shared';
import { useDiscBoot } from './use-disc-boot';

// On a VM's page, when its firmware cannot start the disc in its first CD drive (a BIOS-only disc
// under UEFI stops at the UEFI shell with no word why): what is wrong and what to change.
export function DiscFirmwareWarning({ config, connected }: { config: VmConfig; connected: boolean }) {
  const iso = config.removable.find((d) => d.iso !== null)?.iso ?? '';
  const boot = useDiscBoot(iso, connected);
  const problem = boot && discFirmwareProblem(config.system.firmware, boot);
  if (!problem) return null;
  return (
    <p
      role="note"
      data-testid="disc-firmware-warning"
      className="rounded-lg border border-amber-400 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-600 dark:bg-amber-950 dark:text-amber-100"
    >
      {problem}
    </p>
  );
}
