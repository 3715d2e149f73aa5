'use client';

import type { VmConfig } from '@openutm/shared';
import { useEffect } from 'react';
import { hostDoctor } from '../../helper-client/settings-api';
import { hostStore, useHostFacts } from '../../stores/host-store';
import { effectiveAccelerator } from './effective-accelerator';

let asked = false;

// "Emulated" on a VM's card when it runs (or will run) under TCG: much slower, and the card is
// where people compare their VMs. Nothing while the helper has not said which accelerator; it
// is exactly as tall as the line it sits on (20 px), so the card does not grow when it appears.
export function EmulatedBadge({ config, connected }: { config: VmConfig; connected: boolean }) {
  const facts = useHostFacts();
  useEffect(() => {
    // One host.doctor for all the cards of the library.
    if (connected && hostStore.get().facts === null && !asked) {
      asked = true;
      void hostDoctor().catch(() => {
        asked = false;
      });
    }
  }, [connected]);
  if (effectiveAccelerator(facts, config.system.architecture, config.system.accelerator) !== 'tcg') return null;
  return (
    <span
      data-testid="emulated-badge"
      title="Runs under TCG: the CPU is emulated in software, so it is much slower than with hardware acceleration"
      className="shrink-0 rounded-full border border-amber-600/40 bg-amber-50 px-2 py-px text-xs leading-4 font-medium text-amber-900 dark:bg-amber-950 dark:text-amber-200"
    >
      Emulated
    </span>
  );
}
