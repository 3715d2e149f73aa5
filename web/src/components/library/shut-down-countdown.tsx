'use client';

import { useCountdown } from '../shell/use-countdown';

// While a shut down is in progress: how long the guest has left before the helper forces it off,
// and a way not to wait. A timer role: screen readers do not announce every tick.
export function ShutDownCountdown({ forceStopAt, onForceStop, compact }: { forceStopAt: string | null; onForceStop: () => void; compact: boolean }) {
  const left = useCountdown(forceStopAt === null ? null : Date.parse(forceStopAt));
  return (
    <div className={compact ? 'flex flex-wrap items-center gap-x-3 gap-y-1' : 'flex flex-wrap items-center gap-3'} data-testid="shut-down-countdown">
      <p role="timer" className="text-xs text-neutral-700 dark:text-neutral-300">
        Shutting down…{' '}
        {left !== null && (
          <>
            forced stop in <span className="font-medium tabular-nums" data-testid="force-stop-seconds">{formatSeconds(left)}</span> if the guest has not powered off.
          </>
        )}
      </p>
      <button
        type="button"
        onClick={onForceStop}
        className="rounded-lg border border-red-300 px-2 py-1 text-xs font-medium text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950"
      >
        Force stop now
      </button>
    </div>
  );
}

function formatSeconds(s: number): string {
  return s >= 60 ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` : `${s} s`;
}
