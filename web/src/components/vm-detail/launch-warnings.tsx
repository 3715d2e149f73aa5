'use client';

import { useState } from 'react';

export interface LaunchWarningsProps {
  // The running QEMU's compromises from the VM status; undefined from helpers older than the field.
  warnings: readonly string[] | undefined;
}

// What the last start had to compromise on (TCG, VNC on TCP, …), while that QEMU runs. It floats
// over the page's corner so its arrival moves nothing, and the live region exists before any text
// does, so screen readers announce the warnings when they come. Dismissed until they change.
export function LaunchWarnings({ warnings }: LaunchWarningsProps) {
  const list = warnings ?? [];
  const key = list.join('\n');
  const [dismissed, setDismissed] = useState<string | null>(null);
  const shown = list.length > 0 && dismissed !== key;
  return (
    <div role="status" aria-label="Launch warnings" className="pointer-events-none fixed inset-x-4 bottom-4 z-10 flex justify-end">
      {shown && (
        <div
          data-testid="launch-warnings"
          className="pointer-events-auto max-w-md space-y-2 rounded-lg border border-amber-400 bg-amber-50 p-3 text-sm text-amber-900 shadow-lg dark:border-amber-600 dark:bg-amber-950 dark:text-amber-100"
        >
          <p className="font-semibold">This VM runs with {list.length === 1 ? 'a warning' : `${list.length} warnings`}</p>
          <ul className="list-disc space-y-1 pl-5">
            {list.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
          <button
            type="button"
            onClick={() => setDismissed(key)}
            className="rounded border border-amber-500 px-2 py-0.5 hover:bg-amber-100 focus-visible:outline-2 focus-visible:outline-sky-600 dark:hover:bg-amber-900"
          >
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
