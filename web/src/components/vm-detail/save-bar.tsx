import { BUTTON } from '../form/fields';

export type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'failed'; message: string };

// Pinned to the bottom of the window while there is something to save (or a save to report), so
// "Save changes" never scrolls out of sight. Its buttons belong to the settings form.
export function SaveBar({ changed, save, canSave, onRevert }: { changed: boolean; save: SaveState; canSave: boolean; onRevert: () => void }) {
  if (!changed && save.kind === 'idle') return null;
  return (
    <div data-testid="save-bar" className="fixed inset-x-0 bottom-0 z-30 border-t border-neutral-200 bg-white/95 shadow-[0_-4px_12px_rgb(0_0_0/0.06)] backdrop-blur dark:border-neutral-800 dark:bg-neutral-900/95">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-end gap-x-3 gap-y-2 px-4 py-3 sm:px-6">
        <p role="status" className="mr-auto min-w-0 text-sm" data-testid="settings-status">
          {save.kind === 'saving' && 'Saving…'}
          {save.kind === 'saved' && <span className="text-emerald-700 dark:text-emerald-400">Saved.</span>}
          {save.kind === 'failed' && <span className="text-red-700 dark:text-red-400">Not saved: {save.message}</span>}
          {save.kind === 'idle' && 'Unsaved changes'}
        </p>
        {changed && (
          <>
            <button type="button" className={BUTTON.secondary} disabled={save.kind === 'saving'} onClick={onRevert}>
              Revert
            </button>
            <button type="submit" className={BUTTON.primary} disabled={save.kind === 'saving' || !canSave}>
              Save changes
            </button>
          </>
        )}
      </div>
    </div>
  );
}
