'use client';

import { useLayoutEffect, useRef, useState } from 'react';
import { consoleOpen } from '../../helper-client/api';
import { errorMessage } from '../../helper-client/client-errors';
import { takeEarlyEndpoint } from './console-preload';
import { loadViewer, NO_AGENT, type DisplayPhase, type DisplaySession, type GuestAgent, type HostClipboardItem, type PointerMode, type TransferView } from './display-session';
import type { ConsoleSound } from './sound/console-sound';

// Everything the display pane shows about its session.
export interface DisplayView {
  phase: DisplayPhase | { phase: 'idle' };
  protocol: 'spice' | 'vnc' | null;
  guestSize: { width: number; height: number } | null;
  agent: GuestAgent;
  pointer: PointerMode | null;
  // SPICE's sound; null for VNC and until the session opens.
  sound: ConsoleSound | null;
  transfers: TransferView[];
}

const IDLE: DisplayView = { phase: { phase: 'idle' }, protocol: null, guestSize: null, agent: NO_AGENT, pointer: null, sound: null, transfers: [] };

// Connects the screen of one VM while `allowed` (helper connected, VM running or paused). After
// a drop it waits for reconnect() instead of retrying by itself: the user sees why it dropped.
export function useDisplaySession(
  vmId: string,
  allowed: boolean,
  screen: React.RefObject<HTMLElement | null>,
  protocolHint?: 'spice' | 'vnc' | 'none',
  // Where what the guest copies goes (the page's clipboard bridge).
  guestClipboard?: React.RefObject<((item: HostClipboardItem) => void) | null>,
) {
  const [view, setView] = useState<DisplayView>(IDLE);
  const [attempt, setAttempt] = useState(0);
  const session = useRef<DisplaySession | null>(null);
  const dropped = useRef(false);
  // A live session is left to end by itself (its sockets close when the VM stops), so that it
  // can say why; tearing it down on the VM's state event would lose the reason.
  const live = view.phase.phase === 'connecting' || view.phase.phase === 'connected';
  const run = allowed || live;

  // A layout effect, so that leaving the page ends the session while the viewer's element is
  // still in the document: React runs layout cleanups before it removes the DOM, passive
  // (useEffect) cleanups after, when the viewer's own teardown finds nothing to take apart.
  useLayoutEffect(() => {
    const target = screen.current;
    if (!run || dropped.current || target === null) return;
    let cancelled = false;
    let mine: DisplaySession | null = null;
    const patch = (p: Partial<DisplayView>) => {
      if (!cancelled) setView((v) => ({ ...v, ...p }));
    };
    const drop = (reason: string) => {
      dropped.current = true;
      patch({ phase: { phase: 'disconnected', reason }, agent: NO_AGENT, sound: null });
    };
    void (async () => {
      patch({ ...IDLE, phase: { phase: 'connecting' } });
      try {
        // The ticket (asked for on the click, if it was) and the viewer's code load together.
        const expected = protocolHint === 'vnc' ? 'vnc' : 'spice';
        const [endpoint, guessed] = await Promise.all([takeEarlyEndpoint(vmId) ?? consoleOpen(vmId, 'display'), loadViewer(expected)]);
        const protocol = endpoint.protocol === 'vnc' ? 'vnc' : 'spice';
        const open = protocol === expected ? guessed : await loadViewer(protocol);
        if (cancelled) return;
        patch({ protocol });
        target.replaceChildren();
        mine = open(target, { url: endpoint.url, password: endpoint.password, clipboard: endpoint.clipboard }, {
          onPhase: (p) => (p.phase === 'disconnected' ? drop(p.reason) : patch({ phase: p })),
          onGuestSize: (width, height) => patch({ guestSize: { width, height } }),
          onAgent: (agent) => patch({ agent }),
          onPointerMode: (pointer) => patch({ pointer }),
          onSound: (sound) => patch({ sound }),
          onGuestClipboard: (item) => guestClipboard?.current?.(item),
          onTransfers: (transfers) => patch({ transfers }),
        });
        session.current = mine;
      } catch (e) {
        if (!cancelled) drop(errorMessage(e));
      }
    })();
    return () => {
      cancelled = true;
      mine?.close();
      if (session.current === mine) session.current = null;
    };
  }, [vmId, run, attempt, screen, protocolHint, guestClipboard]);

  return {
    view,
    session,
    reconnect() {
      dropped.current = false;
      setView(IDLE);
      setAttempt((a) => a + 1);
    },
  };
}
