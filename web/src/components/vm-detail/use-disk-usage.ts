'use client';

import type { DiskUsage, VmSummary } from '@openutm/shared';
import { useCallback, useEffect, useState } from 'react';
import { vmDisks } from '../../helper-client/disk-tools-api';

// The disks' real sizes from the helper (vm.disks), read again when the VM's config or state
// changes (a disk added, a run that wrote to it ended) and when a disk job ends. A failed read
// leaves the last sizes: they are a help, never a reason to hide the disks.
export function useDiskUsage(vm: VmSummary, enabled: boolean): { usage: DiskUsage[] | undefined; reload: () => void } {
  const [usage, setUsage] = useState<DiskUsage[] | undefined>(undefined);
  const [round, setRound] = useState(0);
  const { id, updatedAt } = vm.config;
  const state = vm.status.state;
  useEffect(() => {
    if (!enabled) return;
    let stale = false;
    vmDisks(id).then(
      (u) => !stale && setUsage(u),
      () => undefined,
    );
    return () => {
      stale = true;
    };
  }, [enabled, id, updatedAt, state, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { usage, reload };
}
