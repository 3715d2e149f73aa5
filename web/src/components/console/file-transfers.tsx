'use client';

import { useEffect, useState, type RefObject } from 'react';
import { ProgressTrack } from '../jobs/progress-track';
import { formatBytes } from './spice-agent/file-transfer';
import type { TransferView } from './display-session';

// Files on their way into the guest: a progress bar each, Cancel while it runs, the result after.
export function FileTransferList({ transfers, onCancel, onDismiss }: { transfers: TransferView[]; onCancel: (id: number) => void; onDismiss: (id: number) => void }) {
  if (transfers.length === 0) return null;
  return (
    <ul aria-label="Files copied into the guest" data-testid="file-transfers" className="absolute bottom-3 left-3 z-10 flex max-h-[50%] w-80 max-w-[calc(100%-1.5rem)] flex-col gap-2 overflow-auto">
      {transfers.map((t) => {
        const live = t.state !== 'done' && t.state !== 'failed' && t.state !== 'cancelled';
        return (
          <li key={t.id} data-testid="file-transfer" data-state={t.state} className="rounded-xl bg-white p-3 text-sm text-neutral-900 shadow-lg dark:bg-neutral-900 dark:text-neutral-100">
            <div className="flex items-center gap-2">
              <span className="min-w-0 flex-1 truncate font-medium" title={t.name}>
                {t.name}
              </span>
              <button
                type="button"
                onClick={() => (live ? onCancel(t.id) : onDismiss(t.id))}
                className="rounded-md border border-neutral-300 px-2 py-0.5 text-xs font-medium hover:bg-neutral-50 dark:border-neutral-700 dark:hover:bg-neutral-800"
              >
                {live ? 'Cancel' : 'Dismiss'}
                <span className="sr-only"> {t.name}</span>
              </button>
            </div>
            <ProgressTrack percent={transferPercent(t)} label={`Copying ${t.name}`} className="mt-2 h-1.5 w-full" />
            <p className={t.state === 'failed' ? 'mt-1 text-xs text-red-700 dark:text-red-400' : 'mt-1 text-xs text-neutral-600 dark:text-neutral-400'} role={t.state === 'failed' ? 'alert' : undefined}>
              {describe(t)}
            </p>
          </li>
        );
      })}
    </ul>
  );
}

// Whole percent copied (an empty file is done at once); a new value only every 1% means the bar
// is redrawn no more than a hundred times per file.
function transferPercent(t: TransferView): number {
  if (t.state === 'done') return 100;
  if (t.size === 0) return 0;
  return Math.min(100, Math.floor((t.sent / t.size) * 100));
}

function describe(t: TransferView): string {
  switch (t.state) {
    case 'queued':
      return `Waiting · ${formatBytes(t.size)}`;
    case 'starting':
      return 'Asking the guest…';
    case 'sending':
      return `${formatBytes(t.sent)} of ${formatBytes(t.size)}`;
    case 'finishing':
      return 'Saving in the guest…';
    case 'done':
      return `Copied into the guest's Downloads · ${formatBytes(t.size)}`;
    case 'cancelled':
      return 'Cancelled';
    case 'failed':
      return `Not copied: ${t.error ?? 'the guest refused it'}`;
  }
}

// Dragging files over the console: while they hover, the console says what a drop will do
// (or why it cannot); a drop hands them to `onFiles`.
export function useFileDrop(target: RefObject<HTMLElement | null>, blockedReason: string | null, onFiles: (files: File[]) => void): boolean {
  const [over, setOver] = useState(false);
  useEffect(() => {
    const el = target.current;
    if (!el) return;
    let depth = 0;
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setOver(true);
    };
    const overHandler = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = blockedReason === null ? 'copy' : 'none';
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.stopPropagation();
      depth = 0;
      setOver(false);
      const files = droppedFiles(e.dataTransfer);
      if (blockedReason === null && files.length > 0) onFiles(files);
    };
    el.addEventListener('dragenter', enter);
    el.addEventListener('dragover', overHandler);
    el.addEventListener('dragleave', leave);
    el.addEventListener('drop', drop);
    return () => {
      el.removeEventListener('dragenter', enter);
      el.removeEventListener('dragover', overHandler);
      el.removeEventListener('dragleave', leave);
      el.removeEventListener('drop', drop);
    };
  }, [target, blockedReason, onFiles]);
  return over;
}

// The dropped files; folders (which come through as unreadable files) are left out.
function droppedFiles(data: DataTransfer | null): File[] {
  if (!data) return [];
  const items = Array.from(data.items ?? []).filter((i) => i.kind === 'file');
  if (items.length === 0) return Array.from(data.files);
  return items.filter((i) => !(i.webkitGetAsEntry?.()?.isDirectory ?? false)).flatMap((i) => i.getAsFile() ?? []);
}
