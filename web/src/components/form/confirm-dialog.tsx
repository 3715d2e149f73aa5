'use client';

import { useId, type ReactNode, type RefObject } from 'react';
import { BUTTON } from './fields';

export interface ConfirmDialogProps {
  dialogRef: RefObject<HTMLDialogElement | null>;
  title: ReactNode;
  confirmLabel: ReactNode;
  confirmClass: string;
  confirmDisabled?: boolean;
  // Called on submit; the dialog stays open unless the caller closes it, so a refusal can show.
  onConfirm: () => void;
  children: ReactNode;
}

// A modal <dialog> that asks before something cannot be undone: the browser gives it focus
// trapping, Escape to cancel and the inert page behind, which a div-based modal would have to fake.
export function ConfirmDialog({ dialogRef, title, confirmLabel, confirmClass, confirmDisabled, onConfirm, children }: ConfirmDialogProps) {
  const titleId = useId();
  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
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
        {children}
        <div className="flex justify-end gap-2">
          <button type="button" className={BUTTON.secondary} onClick={() => dialogRef.current?.close()}>
            Cancel
          </button>
          <button type="submit" className={confirmClass} disabled={confirmDisabled}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
