'use client';

import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { consoleOpen } from '../../helper-client/api';
import { errorMessage } from '../../helper-client/client-errors';
import { ConsoleOverlay } from './console-overlay';
import type { DisplayPhase } from './display-session';
import type { SerialSession } from './serial-session';
import { useElementSize } from './use-element-size';
import { PasteAsKeysDialog } from './paste-as-keys-dialog';
import { toolbarButton } from './toolbar-button';

// The VM's first serial port in a terminal, with the helper's scrollback shown on connect.
export function SerialPane({ vmId, vmName, allowed, blockedReason }: { vmId: string; vmName: string; allowed: boolean; blockedReason: string | null }) {
  const hostRef = useRef<HTMLDivElement>(null);
  const session = useRef<SerialSession | null>(null);
  const [phase, setPhase] = useState<DisplayPhase | { phase: 'idle' }>({ phase: 'idle' });
  const [attempt, setAttempt] = useState(0);
  const dropped = useRef(false);
  const size = useElementSize(hostRef);
  const pasteDialog = useRef<HTMLDialogElement>(null);
  const live = phase.phase === 'connecting' || phase.phase === 'connected';
  const run = allowed || live;

  // Ended in a layout cleanup, while the terminal's element is still in the document (see
  // useDisplaySession).
  useLayoutEffect(() => {
    const host = hostRef.current;
    if (!run || dropped.current || !host) return;
    let cancelled = false;
    let mine: SerialSession | null = null;
    const report = (p: DisplayPhase) => {
      if (cancelled) return;
      if (p.phase === 'disconnected') dropped.current = true;
      setPhase(p);
    };
    void (async () => {
      report({ phase: 'connecting' });
      try {
        const endpoint = await consoleOpen(vmId, 'serial');
        if (cancelled) return;
        host.replaceChildren();
        mine = await (await import('./serial-session')).openSerialSession(host, endpoint.url, report);
        if (cancelled) return mine.close();
        session.current = mine;
        mine.terminal.focus();
      } catch (e) {
        report({ phase: 'disconnected', reason: errorMessage(e) });
      }
    })();
    return () => {
      cancelled = true;
      mine?.close();
      if (session.current === mine) session.current = null;
    };
  }, [vmId, run, attempt]);

  useEffect(() => session.current?.fit(), [size]);

  return (
    <div className="relative flex h-full min-h-0 flex-col bg-neutral-950">
      <div className="flex items-center gap-2 border-b border-neutral-800 px-3 py-1">
        <p role="status" data-testid="serial-status" data-phase={phase.phase} className="min-w-0 flex-1 truncate py-1 text-xs text-neutral-300">
          {phase.phase === 'connected' ? `Serial console of ${vmName} (ttyS0)` : phase.phase === 'connecting' ? 'Connecting to the serial port…' : 'Serial console not connected'}
        </p>
        <button
          type="button"
          aria-haspopup="dialog"
          aria-disabled={phase.phase !== 'connected'}
          onClick={() => phase.phase === 'connected' && pasteDialog.current?.showModal()}
          className={toolbarButton(phase.phase === 'connected')}
          title="Type a text into the serial console, paced so the guest takes it all"
        >
          Paste as keys…
        </button>
      </div>
      <div ref={hostRef} data-testid="serial-terminal" aria-label={`Serial console of ${vmName}`} className="min-h-0 flex-1 p-2" />
      {phase.phase === 'disconnected' && (
        <ConsoleOverlay
          title="The serial console disconnected"
          detail={`${phase.reason}.${blockedReason ? ` ${blockedReason}` : ''}`}
          tone="error"
          reconnectReason={allowed ? null : (blockedReason ?? 'the VM cannot show a console now')}
          onReconnect={() => {
            dropped.current = false;
            setPhase({ phase: 'idle' });
            setAttempt((a) => a + 1);
          }}
        />
      )}
      {phase.phase === 'idle' && blockedReason && <ConsoleOverlay title="No serial console" detail={blockedReason} tone="info" />}
      <PasteAsKeysDialog dialogRef={pasteDialog} vmId={vmId} vmName={vmName} via="serial" layout="us" onClosed={() => session.current?.terminal.focus()} />
    </div>
  );
}
