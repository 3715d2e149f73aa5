'use client';

import { cx } from '../cx';

// What covers the screen when it is not showing the guest: connecting, the VM is stopped,
// the helper is gone, or the console dropped (with Reconnect).
export interface OverlayProps {
  title: string;
  detail: string;
  tone: 'info' | 'error';
  onReconnect?: () => void;
  // Why Reconnect cannot work yet (the button stays, disabled, with this reason).
  reconnectReason?: string | null;
  // A way forward other than reconnecting, e.g. starting the VM.
  action?: { label: string; run: () => void; disabledReason?: string | null };
}

export function ConsoleOverlay({ title, detail, tone, onReconnect, reconnectReason = null, action }: OverlayProps) {
  return (
    <div className="absolute inset-0 grid place-items-center bg-neutral-950/80 p-6">
      <div
        role={tone === 'error' ? 'alert' : 'status'}
        data-testid="console-overlay"
        data-tone={tone}
        className="w-full max-w-md rounded-2xl bg-white p-5 text-neutral-900 shadow-xl dark:bg-neutral-900 dark:text-neutral-100"
      >
        <h2 className={cx('text-base font-semibold', tone === 'error' && 'text-red-700 dark:text-red-400')}>{title}</h2>
        <p className="mt-1 text-sm text-neutral-600 dark:text-neutral-300">{detail}</p>
        {(onReconnect || action) && (
          <div className="mt-4 flex gap-2">
            {onReconnect && <OverlayButton label="Reconnect" run={onReconnect} disabledReason={reconnectReason} primary />}
            {action && <OverlayButton label={action.label} run={action.run} disabledReason={action.disabledReason ?? null} primary={!onReconnect} />}
          </div>
        )}
      </div>
    </div>
  );
}

function OverlayButton({ label, run, disabledReason, primary }: { label: string; run: () => void; disabledReason: string | null; primary?: boolean }) {
  const enabled = disabledReason === null;
  return (
    <button
      type="button"
      aria-disabled={!enabled}
      title={enabled ? label : `${label}: ${disabledReason}`}
      onClick={() => enabled && run()}
      className={cx(
        'h-9 rounded-lg px-4 text-sm font-medium',
        !enabled
          ? 'cursor-not-allowed bg-neutral-200 text-neutral-500 dark:bg-neutral-800 dark:text-neutral-500'
          : primary
            ? 'bg-sky-700 text-white hover:bg-sky-800'
            : 'border border-neutral-300 hover:bg-neutral-50 dark:border-neutral-700 dark:hover:bg-neutral-800',
      )}
    >
      {label}
    </button>
  );
}
