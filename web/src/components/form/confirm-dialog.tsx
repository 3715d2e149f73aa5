'use client';

import { useId, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { BUTTON } from './fields';

export interface ConfirmDialogProps {
  dialogRef: RefObject<HTMLDialogElement | null>;
  title: ReactNode;
  confirmLabel: ReactNode;
  confirmClass: string;
  confirmDisabled?: boolean;
  // The confirm button, for a caller that opens the dialog with it focused (Enter confirms).
  confirmRef?: RefObject<HTMLButtonElement | null>;
  testId?: string;
  // Called on submit; the dialog stays open unless the caller closes it, so a refusal can show.
  onConfirm: () => void;
  children: ReactNode;
}

// Chromium lets Tab leave a modal dialog for the browser's own toolbar; keep it going round.
function keepTabInside(e: KeyboardEvent<HTMLDialogElement>): void {
  if (e.key !== 'Tab') return;
  const focusable = [...e.currentTarget.querySelectorAll<HTMLElement>('button:not([disabled]), input:not([disabled])')];
  const at = focusable.indexOf(document.activeElement as HTMLElement);
  const next = e.shiftKey ? (at <= 0 ? focusable.at(-1) : null) : at === focusable.length - 1 ? focusable[0] : null;
  if (!next) return;
  e.preventDefault();
  next.focus();
}

// A modal <dialog> that asks before something cannot be undone: the browser gives it focus
// trapping, Escape to cancel and the inert page behind, which a div-based modal would have to fake.
export function ConfirmDialog({ dialogRef, title, confirmLabel, confirmClass, confirmDisabled, confirmRef, testId, onConfirm, children }: ConfirmDialogProps) {
  const titleId = useId();
  const bodyId = useId();
  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      data-testid={testId}
      onKeyDown={keepTabInside}
      className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-2xl border border-neutral-200 bg-white p-5 text-neutral-900 shadow-xl backdrop:bg-black/40 dark:border-neutral-800 dark:bg-neutral-900 dark:text-neutral-100"
    >
      <form
        method="dialog"
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          onConfirm();
        }}
      >
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        <div id={bodyId} className="space-y-3">
          {children}
        </div>
        <div className="flex justify-end gap-2">
          <button type="button" className={BUTTON.secondary} onClick={() => dialogRef.current?.close()}>
            Cancel
          </button>
          <button ref={confirmRef} type="submit" className={confirmClass} disabled={confirmDisabled}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
