'use client';

import type { VmAction } from '@openutm/shared';
import { useState } from 'react';
import { errorMessage } from '../../helper-client/client-errors';
import type { VmActionsProps } from './vm-actions';

// Runs a VM's quick actions for a card or the VM page: which are in flight (their buttons show
// busy), and the helper's refusal as a sentence for `onFailure`.
export function useVmActionRunner(vmId: string, onFailure: (text: string) => void): { busy: ReadonlySet<VmAction>; onAction: VmActionsProps['onAction'] } {
  const [busy, setBusy] = useState<ReadonlySet<VmAction>>(new Set());
  const onAction: VmActionsProps['onAction'] = (item) => {
    setBusy((b) => new Set(b).add(item.action));
    item
      .run(vmId)
      .catch((e: unknown) => onFailure(`Could not ${item.label.toLowerCase()}: ${errorMessage(e)}`))
      .finally(() =>
        setBusy((b) => {
          const next = new Set(b);
          next.delete(item.action);
          return next;
        }),
      );
  };
  return { busy, onAction };
}
