'use client';

import { displayAddress } from '../../helper-client/helper-address';
import { useConnection, type ConnectionPhase } from '../../stores/connection-store';
import { cx } from '../cx';

const LOOK: Record<ConnectionPhase, { label: string; dot: string }> = {
  connecting: { label: 'Connecting…', dot: 'bg-amber-400 animate-pulse' },
  connected: { label: 'Connected', dot: 'bg-emerald-500' },
  reconnecting: { label: 'Reconnecting…', dot: 'bg-amber-400 animate-pulse' },
  'helper-offline': { label: 'Helper offline', dot: 'bg-red-500' },
  unpaired: { label: 'Not paired', dot: 'bg-neutral-400' },
  incompatible: { label: 'Update needed', dot: 'bg-red-500' },
};

// The header's one-glance connection status; fixed width so it never nudges the header (on
// narrow screens just the dot, the words stay for screen readers). `inMenu`: the narrow menu's
// copy, words always shown, under its own test id so the top bar's stays unique.
export function ConnectionPill({ inMenu = false }: { inMenu?: boolean }) {
  const { phase, helperOrigin, welcome, booting } = useConnection();
  const look = LOOK[phase];
  const detail = welcome ? `helper ${welcome.helperVersion} at ${displayAddress(helperOrigin)}` : helperOrigin ? displayAddress(helperOrigin) : '';
  return (
    <div
      className={cx('flex items-center gap-2 rounded-full border border-neutral-200 bg-white px-3 py-1 text-sm dark:border-neutral-800 dark:bg-neutral-900', inMenu ? 'w-fit' : 'w-auto sm:w-44')}
      title={detail}
      data-testid={inMenu ? 'menu-connection' : 'connection-pill'}
      data-phase={booting ? 'booting' : phase}
    >
      <span aria-hidden className={cx('size-2.5 shrink-0 rounded-full', booting ? 'bg-neutral-300' : look.dot)} />
      <span className={inMenu ? 'truncate' : 'sr-only truncate sm:not-sr-only'}>{booting ? 'Starting…' : look.label}</span>
    </div>
  );
}
