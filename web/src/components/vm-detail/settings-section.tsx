import type { ReactNode } from 'react';

// One settings section: a heading the sidebar links to and, when its fields cannot change now,
// the reason right above them (and read with them by screen readers).
export function SettingsSection({ id, title, locked, children }: { id: string; title: string; locked?: string | null | undefined; children: ReactNode }) {
  const noteId = `${id}-locked`;
  return (
    <fieldset id={id} disabled={Boolean(locked)} aria-describedby={locked ? noteId : undefined} className="scroll-mt-20 rounded-xl border border-neutral-200 p-4 dark:border-neutral-800">
      <legend className="px-1 text-base font-semibold">{title}</legend>
      {locked && (
        <p id={noteId} data-testid="section-locked" className="mb-3 flex items-start gap-1.5 text-sm text-amber-800 dark:text-amber-200">
          <svg aria-hidden viewBox="0 0 20 20" className="mt-0.5 size-4 shrink-0" fill="currentColor">
            <path d="M10 2a4 4 0 0 0-4 4v2H5a1 1 0 0 0-1 1v8a1 1 0 0 0 1 1h10a1 1 0 0 0 1-1V9a1 1 0 0 0-1-1h-1V6a4 4 0 0 0-4-4Zm-2 6V6a2 2 0 1 1 4 0v2H8Z" />
          </svg>
          <span>Locked: {locked}.</span>
        </p>
      )}
      <div className="grid gap-4 sm:grid-cols-2">{children}</div>
    </fieldset>
  );
}
