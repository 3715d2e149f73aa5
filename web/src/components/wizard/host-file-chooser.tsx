'use client';

import type { HostDirEntry, HostDirListing } from '@openutm/shared';
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { errorMessage } from '../../helper-client/client-errors';
import { hostBrowse } from '../../helper-client/settings-api';
import { formatMiB } from '../library/format';
import { cx } from '../cx';
import { BUTTON, INPUT_CLASS } from '../form/fields';
import { DiscIcon, DownloadIcon, DriveIcon, FileIcon, FolderIcon, HomeIcon } from '../icons/file-icons';
import { chooserEntries, isDiscImage } from './chooser-entries';

// The parent folder of a file path, for opening the chooser where the current choice lives.
export function folderOf(filePath: string): string | undefined {
  const i = Math.max(filePath.lastIndexOf('/'), filePath.lastIndexOf('\\'));
  return i > 0 ? filePath.slice(0, i) : i === 0 ? '/' : undefined;
}

function joinPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(sep) ? dir + name : `${dir}${sep}${name}`;
}

function isFolder(e: HostDirEntry): boolean {
  return e.kind === 'directory' || e.link?.targetKind === 'directory';
}

const PLACE_ICON = { home: HomeIcon, downloads: DownloadIcon, removable: DriveIcon } as const;

function sizeText(bytes: number | null): string {
  if (bytes === null) return '';
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return formatMiB(Math.round(bytes / (1024 * 1024)));
}

// A modal file chooser over the helper's computer (host.browse): arrows move, Enter opens a
// folder or picks a file, Backspace goes up, Escape cancels.
export function HostFileChooser({ open, startPath, onChoose, onClose }: { open: boolean; startPath?: string; onChoose: (path: string) => void; onClose: () => void }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const titleId = useId();
  const [listing, setListing] = useState<HostDirListing | null>(null);
  const [typed, setTyped] = useState('');
  const [showHidden, setShowHidden] = useState(false);
  // Disc images and folders only, unless the person asks for every file.
  const [showAll, setShowAll] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  // Only the newest request may change the chooser: a person can ask for another folder before the
  // first listing arrives, and a late answer must neither replace their folder nor clear its error.
  const latest = useRef(0);
  // Set when the person types a folder; an answer that arrives after that leaves their text alone.
  const edited = useRef(false);
  // Set when a listing arrives: its first entry takes the focus once it is on screen (an animation
  // frame could come before React has drawn the list, leaving the focus in the path field).
  const focusList = useRef(false);
  useEffect(() => {
    if (!focusList.current || listing === null) return;
    focusList.current = false;
    listRef.current?.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus();
  }, [listing]);
  const go = useCallback(async (dir: string | undefined, hidden: boolean) => {
    const request = ++latest.current;
    edited.current = false;
    setLoading(true);
    try {
      const next = await hostBrowse(dir, hidden);
      if (request !== latest.current) return;
      setListing(next);
      if (!edited.current) setTyped(next.path);
      setError(null);
      focusList.current = true;
    } catch (e) {
      // The folder stays as it was; the message says what to do.
      if (request === latest.current) setError(errorMessage(e));
    } finally {
      if (request === latest.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      void go(startPath, showHidden);
    } else if (!open && dialog.open) dialog.close();
    // Opening is what matters; startPath and showHidden are read at that moment.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  function onListKey(e: KeyboardEvent<HTMLUListElement>) {
    const buttons = [...(listRef.current?.querySelectorAll<HTMLButtonElement>('button:not([disabled])') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = e.key === 'ArrowDown' ? Math.min(buttons.length - 1, at + 1) : Math.max(0, at - 1);
      buttons[next]?.focus();
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      buttons[e.key === 'Home' ? 0 : buttons.length - 1]?.focus();
    } else if (e.key === 'Backspace' && listing?.parent) {
      e.preventDefault();
      void go(listing.parent, showHidden);
    }
  }

  const shown = listing ? chooserEntries(listing.entries, showAll) : [];

  function pick(entry: HostDirEntry) {
    if (!listing) return;
    const full = joinPath(listing.path, entry.name);
    if (isFolder(entry)) void go(full, showHidden);
    else onChoose(full);
  }

  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      onClose={onClose}
      className="m-auto max-h-[calc(100dvh-2rem)] w-[min(44rem,calc(100vw-2rem))] overflow-hidden rounded-2xl border border-neutral-200 bg-white p-0 text-neutral-900 shadow-xl backdrop:bg-black/40 dark:border-neutral-800 dark:bg-neutral-900 dark:text-neutral-100"
    >
      {/* One scrolling area, the list: the dialog itself fits the window. */}
      <div className="flex max-h-[calc(100dvh-2rem)] flex-col gap-3 p-5">
        <h2 id={titleId} className="text-lg font-semibold">
          Choose a disc image on this computer
        </h2>
        {/* Not a <form>: the chooser can sit inside the wizard's form, and forms do not nest. */}
        <div className="flex gap-2">
          <label className="sr-only" htmlFor={`${titleId}-path`}>
            Folder
          </label>
          <input
            id={`${titleId}-path`}
            value={typed}
            onChange={(e) => {
              edited.current = true;
              setTyped(e.target.value);
            }}
            onKeyDown={(e) => {
              if (e.key !== 'Enter') return;
              // Enter opens the typed folder; it must not also submit a form around the dialog.
              e.preventDefault();
              e.stopPropagation();
              void go(typed, showHidden);
            }}
            spellCheck={false}
            className={cx(INPUT_CLASS, 'border-neutral-300 font-mono dark:border-neutral-700')}
          />
          <button type="button" className={BUTTON.secondary} onClick={() => void go(typed, showHidden)}>
            Go
          </button>
        </div>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <button type="button" className={BUTTON.secondary} disabled={!listing?.parent} onClick={() => listing?.parent && void go(listing.parent, showHidden)}>
            Parent folder
          </button>
          {(listing?.places ?? (listing ? [{ name: 'Home', path: listing.home, kind: 'home' as const }] : [])).map((place) => {
            const PlaceIcon = PLACE_ICON[place.kind];
            return (
              <button
                key={place.path}
                type="button"
                data-testid="browse-place"
                aria-current={listing?.path === place.path ? 'location' : undefined}
                title={place.path}
                className="inline-flex items-center gap-1.5 rounded-full border border-neutral-300 px-3 py-1 hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-sky-600 aria-[current=location]:border-sky-600 aria-[current=location]:bg-sky-50 dark:border-neutral-700 dark:hover:bg-neutral-800 dark:aria-[current=location]:bg-sky-950"
                onClick={() => void go(place.path, showHidden)}
              >
                <PlaceIcon />
                {place.name}
              </button>
            );
          })}
        </div>
        <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm">
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} className="size-4 accent-sky-600" />
            Show all files
          </label>
          <label className="flex items-center gap-2">
            <input
              type="checkbox"
              checked={showHidden}
              onChange={(e) => {
                setShowHidden(e.target.checked);
                void go(listing?.path, e.target.checked);
              }}
              className="size-4 accent-sky-600"
            />
            Show hidden files
          </label>
        </div>
        <p role="alert" data-testid="browse-error" className="min-h-5 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
        <ul
          ref={listRef}
          aria-label={listing ? `Contents of ${listing.path}` : 'Folder contents'}
          aria-busy={loading}
          onKeyDown={onListKey}
          className="h-80 min-h-24 shrink overflow-y-auto rounded-lg border border-neutral-200 dark:border-neutral-800"
        >
          {listing && shown.length === 0 && (
            <li className="p-3 text-sm text-neutral-600 dark:text-neutral-400">
              {listing.entries.length === 0 ? 'This folder is empty.' : 'No disc images or folders here. Tick “Show all files” to see every file.'}
            </li>
          )}
          {shown.map((entry) => {
            const folder = isFolder(entry);
            const broken = entry.link?.targetKind === 'missing';
            const iso = !folder && isDiscImage(entry.name);
            return (
              <li key={entry.name}>
                <button
                  type="button"
                  disabled={broken || entry.kind === 'other' || entry.link?.targetKind === 'other'}
                  data-testid="browse-entry"
                  data-kind={folder ? 'folder' : 'file'}
                  onClick={() => pick(entry)}
                  className={cx(
                    'group flex w-full items-center gap-3 px-3 py-1.5 text-left text-sm hover:bg-sky-50 focus:bg-sky-100 disabled:cursor-not-allowed disabled:opacity-50 dark:hover:bg-sky-950 dark:focus:bg-sky-900',
                    entry.hidden && 'text-neutral-500',
                  )}
                >
                  <span className={cx('shrink-0', folder ? 'text-sky-700 dark:text-sky-400' : iso ? 'text-violet-700 dark:text-violet-400' : 'text-neutral-500')}>
                    {folder ? <FolderIcon /> : iso ? <DiscIcon /> : <FileIcon />}
                  </span>
                  <span className={cx('min-w-0 flex-1 truncate', iso && 'font-medium')}>
                    {entry.name}
                    {folder && <span className="sr-only"> (folder)</span>}
                    {entry.link && (
                      <span className="ml-2 text-xs text-neutral-600 group-focus:text-current dark:text-neutral-400 dark:group-focus:text-current">
                        {broken ? `broken link to ${entry.link.target}` : `link to ${entry.link.target}`}
                      </span>
                    )}
                  </span>
                  <span className="shrink-0 text-xs text-neutral-600 tabular-nums group-focus:text-current dark:text-neutral-400 dark:group-focus:text-current">{sizeText(entry.size)}</span>
                </button>
              </li>
            );
          })}
        </ul>
        {listing?.truncated && <p className="text-xs text-neutral-600 dark:text-neutral-400">This folder has more entries than are shown; type the file&apos;s path instead.</p>}
        <div className="flex justify-end">
          <button type="button" className={BUTTON.secondary} onClick={onClose}>
            Cancel
          </button>
        </div>
      </div>
    </dialog>
  );
}
