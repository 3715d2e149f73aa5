'use client';

import type { RefObject } from 'react';
import { clipboardOffReason } from './clipboard-reason';
import type { KeyCombo } from './guest-keys';
import { KeyComboMenu } from './key-combo-menu';
import { SoundControls } from './sound/sound-controls';
import { RELEASE_KEY_LABEL } from './release-key';
import { toolbarButton } from './toolbar-button';
import type { Fullscreen } from './use-fullscreen';
import type { DisplayView } from './use-display-session';

export interface ConsoleToolbarProps {
  vmId: string;
  vmName: string;
  view: DisplayView;
  fit: boolean;
  onFit: (fit: boolean) => void;
  fullscreen: Fullscreen;
  resizeWithWindow: boolean;
  onResizeWithWindow: (on: boolean) => void;
  onCombo: (combo: KeyCombo) => void;
  onCapturePointer: () => void;
  onPasteAsKeys: () => void;
  // Whether the guest opened its SPICE agent's port (the VM's status); a VNC console needs it.
  guestAgentOpen: boolean | null | undefined;
  // The page's clipboard could not be read or written (null when fine).
  clipboardProblem: string | null;
  onSendClipboard: () => void;
  // Where the release key puts the focus.
  firstButton: RefObject<HTMLButtonElement | null>;
}

// Always the same controls in the same places; what does not apply now is dimmed and says why.
export function ConsoleToolbar({ firstButton, ...p }: ConsoleToolbarProps) {
  const connected = p.view.phase.phase === 'connected';
  const notConnected = connected ? null : 'the screen is not connected';
  const resizeReason =
    notConnected ??
    (p.view.protocol === 'vnc'
      ? 'a VNC display keeps the resolution the guest sets; change it inside the guest'
      : !p.view.agent.resize
        ? 'needs the SPICE guest agent (spice-vdagent) running in the guest'
        : p.fit
          ? null
          : 'off in 1:1, which shows the guest at its own resolution; pick Fit');
  const clipboardReason = notConnected ?? clipboardOffReason(p.view.protocol, p.view.agent, p.guestAgentOpen);
  const clipboardState = connected ? (clipboardReason === null ? (p.clipboardProblem ?? 'Clipboard shared') : capitalize(clipboardReason)) : null;
  const captureReason =
    notConnected ?? (p.view.pointer === 'absolute' ? 'not needed: the guest has a USB tablet, so the pointer moves in and out freely' : null);

  return (
    <div role="toolbar" aria-label={`Console of ${p.vmName}`} className="flex flex-wrap items-center gap-2 border-b border-neutral-200 px-3 py-2 dark:border-neutral-800">
      <div role="group" aria-label="Scale" className="flex gap-1">
        <button ref={firstButton} type="button" aria-pressed={p.fit} onClick={() => p.onFit(true)} className={toolbarButton(true, p.fit)} title="Scale the screen to fit the window">
          Fit
        </button>
        <button type="button" aria-pressed={!p.fit} onClick={() => p.onFit(false)} className={toolbarButton(true, !p.fit)} title="Show the screen pixel for pixel">
          1:1
        </button>
      </div>
      <button
        type="button"
        aria-pressed={p.fullscreen.active}
        aria-disabled={!p.fullscreen.supported}
        onClick={() => p.fullscreen.supported && p.fullscreen.toggle()}
        className={toolbarButton(p.fullscreen.supported, p.fullscreen.active)}
        title={p.fullscreen.supported ? 'Fullscreen (hold Escape to leave)' : 'Fullscreen: this browser does not allow it here'}
      >
        {p.fullscreen.active ? 'Leave fullscreen' : 'Fullscreen'}
      </button>
      <KeyComboMenu disabledReason={notConnected} onSend={p.onCombo} />
      <button
        type="button"
        aria-haspopup="dialog"
        aria-disabled={notConnected !== null}
        onClick={() => notConnected === null && p.onPasteAsKeys()}
        className={toolbarButton(notConnected === null)}
        title={notConnected === null ? 'Type a text into the guest key by key (for guests without a clipboard)' : `Paste as keys: ${notConnected}`}
      >
        Paste as keys…
      </button>
      <button
        type="button"
        aria-pressed={p.resizeWithWindow && resizeReason === null}
        aria-disabled={resizeReason !== null}
        onClick={() => resizeReason === null && p.onResizeWithWindow(!p.resizeWithWindow)}
        className={toolbarButton(resizeReason === null, p.resizeWithWindow && resizeReason === null)}
        title={resizeReason === null ? 'Resize the guest display with the window' : `Resize guest with window: ${resizeReason}`}
        aria-describedby="console-resize-why"
      >
        Resize guest with window
      </button>
      <span id="console-resize-why" className="sr-only">
        {resizeReason ?? 'available'}
      </span>
      <button
        type="button"
        aria-disabled={clipboardReason !== null}
        onClick={() => clipboardReason === null && p.onSendClipboard()}
        className={toolbarButton(clipboardReason === null)}
        title={clipboardReason === null ? "Send this computer's clipboard (text, a PNG image or both) to the guest (it is also sent when you come back to the console, if the browser allows)" : `Send clipboard: ${clipboardReason}`}
      >
        Send clipboard
      </button>
      <button
        type="button"
        aria-disabled={captureReason !== null}
        onClick={() => captureReason === null && p.onCapturePointer()}
        className={toolbarButton(captureReason === null)}
        title={captureReason === null ? `Capture the pointer (${RELEASE_KEY_LABEL} or Escape releases it)` : `Capture pointer: ${captureReason}`}
      >
        Capture pointer
      </button>
      <SoundControls
        vmId={p.vmId}
        sound={p.view.sound}
        unavailable={notConnected ?? (p.view.protocol === 'vnc' ? 'a VNC console carries no sound; choose SPICE in the VM’s display settings' : null)}
      />
      {clipboardState !== null && (
        <p
          data-testid="console-clipboard"
          data-shared={clipboardReason === null && p.clipboardProblem === null ? 'true' : 'false'}
          title={clipboardState}
          className={
            clipboardReason === null && p.clipboardProblem === null ? 'min-w-0 max-w-md truncate text-xs text-emerald-700 dark:text-emerald-400' : 'min-w-0 max-w-md truncate text-xs text-amber-700 dark:text-amber-400'
          }
        >
          {clipboardState}
        </p>
      )}
      <p className="ml-auto text-xs text-neutral-500 dark:text-neutral-400">
        <kbd className="rounded border border-neutral-300 px-1 font-mono dark:border-neutral-700">{RELEASE_KEY_LABEL}</kbd> releases the keyboard
      </p>
      <p role="status" data-testid="console-status" data-phase={p.view.phase.phase} className="w-48 truncate text-right text-xs font-medium">
        {describePhase(p.view)}
      </p>
    </div>
  );
}

function describePhase(view: DisplayView): string {
  const proto = view.protocol?.toUpperCase() ?? '';
  switch (view.phase.phase) {
    case 'idle':
      return 'Not connected';
    case 'connecting':
      return `Connecting${proto ? ` (${proto})` : ''}…`;
    case 'connected':
      return `Connected · ${proto}${view.guestSize ? ` · ${view.guestSize.width}×${view.guestSize.height}` : ''}`;
    case 'disconnected':
      return 'Disconnected';
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
