'use client';

import { useEffect, useState } from 'react';
import { cx } from '../cx';

// Copies a short text (an IP address) and says so for a moment; the label names what it copies.
export function CopyButton({ text, label, className }: { text: string; label: string; className?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 1500);
    return () => clearTimeout(t);
  }, [state]);
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  return (
    <button
      type="button"
      onClick={copy}
      aria-label={label}
      title={label}
      data-testid="copy-ip"
      className={cx(
        'inline-flex h-5 shrink-0 items-center rounded px-1.5 text-xs font-medium text-sky-700 hover:bg-sky-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-400 dark:hover:bg-sky-950',
        className,
      )}
    >
      {/* A fixed width: the word changing never moves what is beside it. */}
      <span className="inline-block w-12 text-center" aria-live="polite">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Failed' : 'Copy'}
      </span>
    </button>
  );
}
