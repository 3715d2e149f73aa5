'use client';

import { useRef, type RefObject } from 'react';
import { ConfirmDialog } from '../form/confirm-dialog';
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

// Asks before pulling the plug, naming what is lost; it closes before the force stop is sent.
export function ForceStopDialog({ dialogRef, confirmRef, vmName, onConfirm }: Omit<ForceStopAsk, 'open'> & { vmName: string; onConfirm: () => void }) {
  return (
    <ConfirmDialog
      dialogRef={dialogRef}
      confirmRef={confirmRef}
      testId="force-stop-dialog"
      title={`Force stop ${vmName}?`}
      confirmLabel="Force stop"
      confirmClass={BUTTON.danger}
      onConfirm={() => {
        dialogRef.current?.close();
        onConfirm();
      }}
    >
      <div className="space-y-2 text-sm text-neutral-700 dark:text-neutral-300">
        <p>This is like pulling the power cord: the guest gets no chance to close its programs or save its files.</p>
        <p>Unsaved work in the guest is lost, and files it was writing may be damaged. Shut down asks the guest to power off properly instead.</p>
      </div>
    </ConfirmDialog>
  );
}
