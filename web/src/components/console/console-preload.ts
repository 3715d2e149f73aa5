'use client';

import { useEffect } from 'react';
import { useRouter } from 'next/navigation';
import { consoleOpen, type ConsoleEndpoint } from '../../helper-client/api';
import { consoleHref } from './console-icon';
import { loadViewer } from './display-session';

// Opening a console waits on three things in a row when nothing is ready: the console page's
// code, the helper's ticket, the viewer's code. These start them earlier, so that a click
// reaches the SPICE (or VNC) handshake at once: the page and the viewer while a running VM's
// card is shown, the ticket when the Console button is pointed at or focused (at the latest on
// the click), in parallel with the page's rendering.

// How long a ticket asked for on the click may wait for its page (the helper's live 30 s).
const EARLY_TICKET_MS = 10_000;
const early = new Map<string, { at: number; endpoint: Promise<ConsoleEndpoint> }>();

// Asks the helper for the VM's display ticket now (on the click, or when the pointer or the focus
// reaches the Console button); the console page takes it (once) when it opens. A recent one is kept.
export function openConsoleEarly(vmId: string): void {
  const kept = early.get(vmId);
  if (kept && Date.now() - kept.at < EARLY_TICKET_MS / 2) return;
  const endpoint = consoleOpen(vmId, 'display');
  // Whoever takes it sees a failure; nobody taking it is no error.
  endpoint.catch(() => undefined);
  early.set(vmId, { at: Date.now(), endpoint });
}

// The ticket openConsoleEarly asked for, if it is recent; null otherwise (ask again then).
export function takeEarlyEndpoint(vmId: string): Promise<ConsoleEndpoint> | null {
  const e = early.get(vmId);
  early.delete(vmId);
  return e && Date.now() - e.at < EARLY_TICKET_MS ? e.endpoint : null;
}

// While a running VM's card is shown: fetch the console page and its viewer's code once the
// browser is idle, so that opening the console runs no network fetch or module evaluation.
export function useConsoleWarmup(vmId: string, display: 'spice' | 'vnc' | 'none', running: boolean): void {
  const router = useRouter();
  useEffect(() => {
    if (!running || display === 'none') return;
    const warm = () => {
      router.prefetch(consoleHref(vmId));
      void loadViewer(display).catch(() => undefined);
    };
    if (typeof requestIdleCallback !== 'function') {
      const t = setTimeout(warm, 200);
      return () => clearTimeout(t);
    }
    const handle = requestIdleCallback(warm, { timeout: 2_000 });
    return () => cancelIdleCallback(handle);
  }, [vmId, display, running, router]);
}
