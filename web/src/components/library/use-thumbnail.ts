'use client';

import { canPerform, type VmState } from '@openutm/shared';
import { useEffect, useState } from 'react';
import { vmScreenshot } from '../../helper-client/api';

// How often a running VM's card picture is renewed: lively enough to see a boot go by, cheap
// enough (one small PNG) for a library of many VMs.
export const THUMBNAIL_INTERVAL_MS = 5_000;

// The VM's latest screenshot while it has a screen: taken on every state change, renewed every
// few seconds while it runs and this page is visible (a hidden tab asks nothing). A paused VM
// keeps the frame it stopped on; a stopped one has none.
export function useThumbnail(id: string, state: VmState, connected: boolean): string | null {
  const [src, setSrc] = useState<string | null>(null);
  const hasScreen = connected && canPerform(state, 'screenshot');
  const [lastState, setLastState] = useState(state);
  if (lastState !== state) {
    setLastState(state);
    if (state === 'stopped' || state === 'crashed') setSrc(null);
  }

  useEffect(() => {
    if (!hasScreen) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let inFlight = false;
    const take = () => {
      clearTimeout(timer);
      if (stopped || inFlight || document.visibilityState !== 'visible') return;
      inFlight = true;
      vmScreenshot(id)
        .then((shot) => !stopped && setSrc(shot.src))
        // A VM that stopped between the event and the call: the next state says so.
        .catch(() => undefined)
        .finally(() => {
          inFlight = false;
          if (!stopped && state === 'running') timer = setTimeout(take, THUMBNAIL_INTERVAL_MS);
        });
    };
    take();
    document.addEventListener('visibilitychange', take);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', take);
    };
  }, [id, state, hasScreen]);

  return hasScreen || state === 'paused' ? src : null;
}
