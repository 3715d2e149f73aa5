'use client';

import { useEffect, useRef, useState } from 'react';
import type { Workbox } from 'workbox-window';
import { afterLoadIdle } from './after-load';

// Registers the service worker (out/sw.js, made by scripts/build-sw.mjs) and, when a newer UI
// has been installed behind this one, offers to switch to it. Nothing reloads on its own:
// a console session or a half-filled form is not thrown away without asking. Workbox itself
// waits for 'load'; its own code is not fetched before the page has loaded and is idle either.
export function UpdatePrompt() {
  const [waiting, setWaiting] = useState(false);
  const wb = useRef<Workbox | null>(null);

  useEffect(() => {
    if (process.env.NODE_ENV !== 'production' || !('serviceWorker' in navigator)) return;
    let stopped = false;
    const onVisible = () => {
      if (document.visibilityState === 'visible') void wb.current?.update().catch(() => undefined);
    };
    const cancelLater = afterLoadIdle(() => void import('workbox-window').then(({ Workbox }) => {
      if (stopped) return;
      // Under a hosted sub-path (GitHub Pages project site) the worker and its scope live there.
      const worker = new Workbox(`${process.env.NEXT_PUBLIC_OPENUTM_BASE_PATH ?? ''}/sw.js`);
      worker.addEventListener('waiting', () => setWaiting(true));
      // Once the new worker is in charge, the page reloads to run the new UI.
      worker.addEventListener('controlling', (e) => {
        if (e.isUpdate) window.location.reload();
      });
      wb.current = worker;
      void worker.register().catch(() => undefined);
      document.addEventListener('visibilitychange', onVisible);
    }));
    return () => {
      stopped = true;
      cancelLater();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);

  return (
    <div role="status" aria-live="polite" data-testid="update-prompt">
      {waiting && (
        <div className="fixed right-4 bottom-4 z-30 flex max-w-sm items-center gap-3 rounded-xl border border-sky-200 bg-white p-4 text-sm shadow-lg dark:border-sky-900 dark:bg-neutral-900">
          <p className="min-w-0 flex-1">A new version of OpenUTM is ready.</p>
          <button
            type="button"
            onClick={() => wb.current?.messageSkipWaiting()}
            className="shrink-0 rounded-md bg-sky-700 px-3 py-1.5 font-medium text-white hover:bg-sky-800"
          >
            Reload
          </button>
        </div>
      )}
    </div>
  );
}
