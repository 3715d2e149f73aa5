'use client';

import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type { DisplaySession, HostClipboardItem } from './display-session';

export interface ClipboardBridge {
  // What went wrong with the page's clipboard last (null when all is well).
  problem: string | null;
  // The "Send clipboard" button: reads the page's clipboard (the browser may ask) and offers it.
  sendToGuest(): Promise<void>;
  // The person came back to the console: the page's clipboard may hold something new.
  refresh(): void;
}

const READ_REFUSED = 'The browser did not let the page read the clipboard: allow clipboard access for this site, then use Send clipboard';
const WRITE_REFUSED = 'The browser did not let the page write the clipboard: allow clipboard access for this site';

// The page's side of the shared clipboard. A browser has no clipboard-changed event and lets a
// page write its clipboard only while it has focus: guest text that arrives in the background is
// kept and written when the page is focused again; the page's text is read on focus when the
// person allowed it for good (no prompt out of the blue), else on the button.
// `guestSinkRef` is where the session delivers what the guest copied; this fills it in.
export function useClipboardBridge(session: RefObject<DisplaySession | null>, enabled: boolean, guestSinkRef: RefObject<((item: HostClipboardItem) => void) | null>): ClipboardBridge {
  const [problem, setProblem] = useState<string | null>(null);
  const pending = useRef<HostClipboardItem | null>(null);

  const writeHost = useCallback(async (item: HostClipboardItem) => {
    if (!document.hasFocus()) {
      pending.current = item;
      return;
    }
    try {
      if (item.kind === 'text') await navigator.clipboard.writeText(item.text);
      else await navigator.clipboard.write([new ClipboardItem({ 'image/png': new Blob([item.png as Uint8Array<ArrayBuffer>], { type: 'image/png' }) })]);
      if (pending.current === item) pending.current = null;
      setProblem(null);
    } catch {
      pending.current = item;
      setProblem(WRITE_REFUSED);
    }
  }, []);

  useEffect(() => {
    guestSinkRef.current = (item) => void writeHost(item);
    return () => {
      guestSinkRef.current = null;
    };
  }, [writeHost, guestSinkRef]);

  const readHost = useCallback(
    async (force: boolean, asked: boolean) => {
      if (!enabled) return;
      // The guest's text first, so that the read below finds it and offers nothing back.
      const waiting = pending.current;
      if (waiting) await writeHost(waiting);
      if (!asked && (await readPermission()) !== 'granted') return;
      try {
        const text = await navigator.clipboard.readText();
        const offered = session.current?.offerClipboard(text, force);
        setProblem(typeof offered === 'string' ? offered : null);
      } catch {
        if (asked) setProblem(READ_REFUSED);
      }
    },
    [enabled, session, writeHost],
  );

  useEffect(() => {
    if (!enabled) return;
    const onFocus = () => void readHost(false, false);
    window.addEventListener('focus', onFocus);
    void readHost(false, false);
    return () => window.removeEventListener('focus', onFocus);
  }, [enabled, readHost]);

  return {
    problem,
    sendToGuest: () => readHost(true, true),
    refresh: () => void readHost(false, false),
  };
}

async function readPermission(): Promise<PermissionState> {
  try {
    return (await navigator.permissions.query({ name: 'clipboard-read' as PermissionName })).state;
  } catch {
    // Firefox and Safari do not name this permission: they ask on every read, so only the button reads.
    return 'prompt';
  }
}
