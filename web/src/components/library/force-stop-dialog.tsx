'use client';

import { useId, useRef, type KeyboardEvent, type RefObject } from 'react';
import { BUTTON } from '../form/fields';

// The handle VmActions keeps to ask before a force stop: the dialog's refs, and `open`, which
// shows it with "Force stop" focused, so Enter confirms and Escape cancels.
export interface ForceStopAsk {
  dialogRef: RefObject<HTMLDialogElement | null>;
  confirmRef: RefObject<HTMLButtonElement | null>;
  open(): void;
}

export function useForceStopAsk(): ForceStopAsk {
  const dialogRef = useRef<HTMLDialogElement | null>(null);
  const confirmRef = useRef<HTMLButtonElement | null>(null);
  return {
    dialogRef,
    confirmRef,
    open() {
      const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      const dialog = dialogRef.current;
      if (!dialog || dialog.open) return;
      // Focus goes back to what opened the dialog, however it closes (the browser may not do it).
      dialog.addEventListener('close', () => opener?.isConnected && opener.focus(), { once: true });
      dialog.showModal();
      confirmRef.current?.focus();
    },
  };
}

// Chromium lets Tab leave a modal dialog for the browser's own toolbar; keep it going round.
function keepTabInside(e: KeyboardEvent<HTMLDialogElement>): void {
  if (e.key !== 'Tab') return;
  const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('button:not([disabled])')];
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  const next = e.shiftKey ? (at <= 0 ? buttons.at(-1) : null) : at === buttons.length - 1 ? buttons[0] : null;
  if (!next) return;
  e.preventDefault();
  next.focus();
}

// Asks before pulling the plug, naming what is lost. A modal <dialog>: the browser traps focus,
// makes the page behind inert and closes it on Escape.
export function ForceStopDialog({ dialogRef, confirmRef, vmName, onConfirm }: Omit<ForceStopAsk, 'open'> & { vmName: string; onConfirm: () => void }) {
  const titleId = useId();
  const bodyId = useId();
  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      data-testid="force-stop-dialog"
      onKeyDown={keepTabInside}
      className="m-auto w-[min(30rem,calc(100vw-2rem))] rounded-2xl border border-neutral-200 bg-white p-5 text-neutral-900 shadow-xl backdrop:bg-black/40 dark:border-neutral-800 dark:bg-neutral-900 dark:text-neutral-100"
    >
      <form
        method="dialog"
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          dialogRef.current?.close();
          onConfirm();
        }}
      >
        <h2 id={titleId} className="text-lg font-semibold">
          Force stop {vmName}?
        </h2>
        <div id={bodyId} className="space-y-2 text-sm text-neutral-700 dark:text-neutral-300">
          <p>This is like pulling the power cord: the guest gets no chance to close its programs or save its files.</p>
          <p>Unsaved work in the guest is lost, and files it was writing may be damaged. Shut down asks the guest to power off properly instead.</p>
        </div>
        <div className="flex justify-end gap-2">
          <button type="button" className={BUTTON.secondary} onClick={() => dialogRef.current?.close()}>
            Cancel
          </button>
          <button ref={confirmRef} type="submit" className={BUTTON.danger}>
            Force stop
          </button>
        </div>
      </form>
    </dialog>
  );
}
