'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { cx } from '../cx';
import { ConsoleOverlay, type OverlayProps } from './console-overlay';
import { ConsoleToolbar } from './console-toolbar';
import { useFullscreen } from './use-fullscreen';
import { ReleaseKeyTracker, RELEASE_KEY_LABEL } from './release-key';
import { useDisplaySession } from './use-display-session';
import type { HostClipboardItem } from './display-session';
import { useElementSize } from './use-element-size';
import { capturePointer, releasePointer } from './pointer-capture';
import { PasteAsKeysDialog } from './paste-as-keys-dialog';
import type { KeyboardLayout } from '@openutm/shared';
import { FileTransferList, useFileDrop } from './file-transfers';
import { guestSizeFor } from './spice-agent/guest-size';
import { useClipboardBridge } from './use-clipboard-bridge';
import { clipboardOffReason } from './clipboard-reason';
import { useDevicePixelRatio } from './use-device-pixel-ratio';

export interface DisplayPaneProps {
  vmId: string;
  vmName: string;
  // Helper connected and the VM running or paused.
  allowed: boolean;
  // Why not, when not allowed: shown over the screen.
  blocked: Omit<OverlayProps, 'onReconnect' | 'reconnectReason'> | null;
  // The VM's configured display, so the viewer's code loads while the ticket is asked for.
  protocolHint?: 'spice' | 'vnc' | 'none';
  // The guest's layout, for Paste as keys.
  keyboardLayout: KeyboardLayout;
  // Whether the guest opened its SPICE agent's port (VmStatus.spiceAgentOpen).
  guestAgentOpen?: boolean | null | undefined;
}

// The VM's screen: the toolbar, the canvas (SPICE or VNC), and what is wrong when it is not there.
export function DisplayPane({ vmId, vmName, allowed, blocked, protocolHint, keyboardLayout, guestAgentOpen }: DisplayPaneProps) {
  const pasteDialog = useRef<HTMLDialogElement>(null);
  const screenId = `console-screen-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const screenRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const viewportRef = useRef<HTMLDivElement>(null);
  const toolbarFocus = useRef<HTMLButtonElement>(null);
  const [fit, setFit] = useState(true);
  // On by default: with an agent, the guest's resolution follows the window (Fit mode only).
  const [resizeWithWindow, setResizeWithWindow] = useState(true);
  // Where the session hands what the guest copies; the clipboard bridge fills it in.
  const guestClipboard = useRef<((item: HostClipboardItem) => void) | null>(null);
  const { view, session, reconnect } = useDisplaySession(vmId, allowed, screenRef, protocolHint, guestClipboard);
  const viewport = useElementSize(viewportRef);
  const fullscreen = useFullscreen(panelRef);
  const dpr = useDevicePixelRatio();
  const connected = view.phase.phase === 'connected';
  const clipboard = useClipboardBridge(session, connected && clipboardOffReason(view.protocol, view.agent, guestAgentOpen) === null, guestClipboard);
  const sendFiles = (files: File[]) => void session.current?.sendFiles(files);
  const dropReason = !connected ? 'the screen is not connected' : view.protocol === 'vnc' ? 'files can be dropped on SPICE consoles only' : view.agent.files ? null : 'no agent in the guest: install spice-vdagent to copy files in';
  const dragging = useFileDrop(viewportRef, dropReason, sendFiles);

  // SPICE draws one canvas at the guest's size; the page scales it (a transform keeps the
  // pointer's offsetX in guest pixels). noVNC scales its own canvas.
  const spiceScale = view.protocol === 'spice' && view.guestSize && fit && viewport ? Math.min(viewport.width / view.guestSize.width, viewport.height / view.guestSize.height) : 1;

  useEffect(() => session.current?.setFit(fit), [fit, session, connected]);

  // The guest follows the window in device pixels (debounced: a drag sends one size, not
  // hundreds). In 1:1 the person wants the guest's own resolution: nothing is sent.
  const followWindow = resizeWithWindow && fit && view.agent.resize;
  useEffect(() => {
    const size = followWindow && viewport ? guestSizeFor(viewport.width, viewport.height, dpr) : null;
    if (!size) return;
    const t = setTimeout(() => session.current?.resizeGuest(size.width, size.height), 300);
    return () => clearTimeout(t);
  }, [followWindow, viewport, dpr, session]);

  // The keyboard way out of the screen; listens in the capture phase because the viewers stop
  // every key event they take.
  useEffect(() => {
    const screen = screenRef.current;
    if (!screen) return;
    const tracker = new ReleaseKeyTracker();
    const down = (e: KeyboardEvent) => tracker.keydown(e.key);
    const up = (e: KeyboardEvent) => {
      if (!tracker.keyup(e.key)) return;
      releasePointer();
      toolbarFocus.current?.focus();
    };
    const reset = () => tracker.reset();
    screen.addEventListener('keydown', down, true);
    screen.addEventListener('keyup', up, true);
    screen.addEventListener('focusout', reset);
    return () => {
      screen.removeEventListener('keydown', down, true);
      screen.removeEventListener('keyup', up, true);
      screen.removeEventListener('focusout', reset);
    };
  }, []);

  // A relative pointer cannot follow the browser's: a click on the screen captures it, as in
  // desktop viewers (the toolbar button does the same for keyboard users).
  const relative = connected && view.pointer === 'relative';
  useEffect(() => {
    const screen = screenRef.current;
    if (!screen || !relative) return;
    const down = () => capturePointer(screen);
    screen.addEventListener('mousedown', down);
    return () => {
      screen.removeEventListener('mousedown', down);
      releasePointer();
    };
  }, [relative]);

  const overlay: OverlayProps | null =
    view.phase.phase === 'disconnected'
      ? {
          title: 'The console disconnected',
          detail: blocked ? `${capitalize(view.phase.reason)}. ${blocked.detail}` : `${capitalize(view.phase.reason)}.`,
          tone: 'error',
          onReconnect: reconnect,
          reconnectReason: allowed ? null : (blocked?.title ?? 'the VM cannot show a console now'),
          action: blocked?.action,
        }
      : view.phase.phase === 'idle' && blocked
        ? { ...blocked }
        : view.phase.phase === 'connecting'
          ? { title: 'Connecting to the screen…', detail: `Opening the ${view.protocol?.toUpperCase() ?? 'display'} console of ${vmName}.`, tone: 'info' }
          : null;

  return (
    <div ref={panelRef} className="flex h-full min-h-0 flex-col bg-white dark:bg-neutral-900">
      <ConsoleToolbar
        vmId={vmId}
        vmName={vmName}
        view={view}
        fit={fit}
        onFit={setFit}
        fullscreen={fullscreen}
        resizeWithWindow={resizeWithWindow}
        onResizeWithWindow={setResizeWithWindow}
        onCombo={(combo) => {
          session.current?.sendCombo(combo);
          session.current?.focus();
        }}
        onCapturePointer={() => capturePointer(screenRef.current)}
        onPasteAsKeys={() => pasteDialog.current?.showModal()}
        guestAgentOpen={guestAgentOpen}
        clipboardProblem={clipboard.problem}
        onSendClipboard={() => void clipboard.sendToGuest()}
        firstButton={toolbarFocus}
      />
      <div
        ref={viewportRef}
        data-testid="console-viewport"
        className={cx('relative min-h-0 flex-1 bg-neutral-950', view.protocol === 'spice' && !fit ? 'overflow-auto' : 'overflow-hidden')}
      >
        <div
          className="peer mx-auto"
          style={view.protocol === 'spice' && view.guestSize ? { width: view.guestSize.width * spiceScale, height: view.guestSize.height * spiceScale } : { width: '100%', height: '100%' }}
        >
          <div
            id={screenId}
            ref={screenRef}
            role="application"
            aria-roledescription="virtual machine screen"
            aria-label={`Screen of ${vmName}. Keys typed here go to the guest; press and release ${RELEASE_KEY_LABEL} to give the keyboard back to the page.`}
            tabIndex={connected ? 0 : -1}
            data-testid="console-screen"
            data-protocol={view.protocol ?? ''}
            data-phase={view.phase.phase}
            data-pointer={view.pointer ?? ''}
            onFocus={(e) => {
              if (e.target === e.currentTarget) session.current?.focus();
              clipboard.refresh();
            }}
            className="outline-none [&_canvas]:outline-none"
            style={
              view.protocol === 'spice'
                ? { transform: `scale(${spiceScale})`, transformOrigin: '0 0', width: view.guestSize?.width }
                : { width: '100%', height: '100%' }
            }
          />
        </div>
        {/* The focus ring is drawn over the whole screen area, inside it: on the scaled canvas it
            was scaled too and clipped at the area's top and bottom edges. */}
        <div aria-hidden className="pointer-events-none absolute inset-0 hidden ring-2 ring-sky-500 ring-inset peer-focus-within:block" />
        <FileTransferList transfers={view.transfers} onCancel={(id) => session.current?.cancelTransfer(id)} onDismiss={(id) => session.current?.dismissTransfer(id)} />
        {dragging && (
          <div data-testid="console-drop-zone" className="pointer-events-none absolute inset-3 grid place-items-center rounded-2xl border-2 border-dashed border-sky-400 bg-sky-950/60 p-6 text-center text-base font-medium text-white">
            {dropReason === null ? 'Drop to copy into the guest' : `Cannot copy files in: ${dropReason}`}
          </div>
        )}
        {overlay && <ConsoleOverlay {...overlay} />}
      </div>
      <PasteAsKeysDialog
        dialogRef={pasteDialog}
        vmId={vmId}
        vmName={vmName}
        via="keyboard"
        layout={keyboardLayout}
        onClosed={() => session.current?.focus()}
      />
    </div>
  );
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
