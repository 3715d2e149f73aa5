'use client';

import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type { DisplaySession, HostClipboardItem } from './display-session';
import { isPermissionError, readPageClipboard, writePageClipboard } from './page-clipboard';
import { sameItem } from './spice-agent/clipboard-sync';

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
const IMAGE_REFUSED = 'The browser could not take the image the guest copied (not a PNG it can read): copy it again in the guest, or save it as a file';

// The page's side of the shared clipboard. A browser has no clipboard-changed event and lets a
// page write its clipboard only while it has focus: guest content that arrives in the background
// is kept and written when the page is focused again; the page's content is read on focus when
// the person allowed it for good (no prompt out of the blue), else on the button.
// `guestSinkRef` is where the session delivers what the guest copied; this fills it in.
export function useClipboardBridge(session: RefObject<DisplaySession | null>, enabled: boolean, guestSinkRef: RefObject<((item: HostClipboardItem) => void) | null>): ClipboardBridge {
  const [problem, setProblem] = useState<string | null>(null);
  const pending = useRef<HostClipboardItem | null>(null);
  // Chromium re-encodes an image put on its clipboard, so reading back the guest's PNG gives
  // other bytes for the same picture: what was read right after writing stands for what was
  // written, and the guest's own image is not offered back to it as something new.
  const echo = useRef<{ read: HostClipboardItem; wrote: HostClipboardItem } | null>(null);

  const writeHost = useCallback(async (item: HostClipboardItem) => {
    if (!document.hasFocus()) {
      pending.current = item;
      return;
    }
    try {
      await writePageClipboard(item);
    } catch (e) {
      if (isPermissionError(e) || !item.png) {
        pending.current = item;
        setProblem(WRITE_REFUSED);
        return;
      }
      // The image itself was refused: the text, if any, still goes.
      if (pending.current === item) pending.current = null;
      setProblem(IMAGE_REFUSED);
      if (item.text) await writePageClipboard({ text: item.text }).catch(() => undefined);
      return;
    }
    if (pending.current === item) pending.current = null;
    setProblem(null);
    echo.current = null;
    if (item.png && (await readPermission()) === 'granted') {
      echo.current = { read: await readPageClipboard().catch(() => ({})), wrote: item };
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
      // The guest's content first, so that the read below finds it and offers nothing back.
      const waiting = pending.current;
      if (waiting) await writeHost(waiting);
      if (!asked && (await readPermission()) !== 'granted') return;
      try {
        let item = await readPageClipboard();
        if (echo.current && sameItem(item, echo.current.read)) item = echo.current.wrote;
        const offered = session.current?.offerClipboard(item, force);
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
