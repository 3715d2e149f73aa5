'use client';

import { AppLink } from '../nav/app-link';
import { usePathname } from 'next/navigation';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { helperReconnect } from '../../helper-client/api';
import { missingMethods } from '../../helper-client/capabilities';
import { displayAddress } from '../../helper-client/helper-address';
import { useConnection, type ConnectionPhase } from '../../stores/connection-store';
import { cx } from '../cx';
import { MessageText } from '../text/message-text';
import { hostPlatform, startCommand } from './start-command';
import { useCountdown } from './use-countdown';

// Says plainly when the UI cannot reach its helper, why, and what to do about it.
export function ConnectionBanner() {
  const { phase, helperOrigin, retryAt, reason, booting, welcome } = useConnection();
  const pathname = usePathname();
  const seconds = useCountdown(retryAt);
  const reconnected = useReconnectedNotice(phase);
  if (booting) return <BannerSlot />;
  const address = <code>{displayAddress(helperOrigin)}</code>;

  switch (phase) {
    case 'reconnecting':
      return (
        <BannerSlot tone="warn">
          <strong>Reconnecting…</strong> Lost the connection to the helper at {address}.
          {reason ? <MessageText text={` It said: ${reason}.`} /> : ''}
        </BannerSlot>
      );
    case 'helper-offline': {
      // A page from another origin (the hosted app) is only let in when the helper lists it.
      const hosted = typeof window !== 'undefined' && window.location.origin !== helperOrigin;
      return (
        <BannerSlot
          tone="error"
          action={
            <button type="button" onClick={helperReconnect} className={buttonClass}>
              Retry now
            </button>
          }
        >
          <strong>Helper not running</strong> — start it with <code>{startCommand(hostPlatform(navigator.userAgent))}</code> on this
          computer (in a checkout of OpenUTM: <code>npm start</code>). Looked for it at {address}
          {reason ? ` (${reason})` : ''}.
          {hosted && (
            <>
              {' '}
              If it is running, make sure it allows this page: <code>OPENUTM_ORIGINS={typeof window === 'undefined' ? '' : window.location.origin}</code>.
            </>
          )}{' '}
          <span className="whitespace-nowrap text-red-800/80 dark:text-red-200/80">
            {seconds === null || seconds === 0 ? 'Reconnecting…' : `Reconnecting in ${seconds} s…`}
          </span>
        </BannerSlot>
      );
    }
    case 'unpaired':
      if (pathname.startsWith('/pair')) return <BannerSlot />;
      return (
        <BannerSlot
          tone="info"
          action={
            <AppLink href="/pair" className={buttonClass}>
              Pair this browser
            </AppLink>
          }
        >
          <strong>This browser is not paired with the helper</strong> at {address}.
          {reason ? (
            <>
              {' '}
              <MessageText text={`${capitalize(reason)}.`} />
            </>
          ) : (
            ''
          )}{' '}
          Run <code>openutm pair</code> and open the link it prints, or enter its code.
        </BannerSlot>
      );
    case 'incompatible':
      return (
        <BannerSlot tone="error">
          <strong>The helper and this app do not speak the same protocol:</strong> <MessageText text={reason ?? ''} />.
        </BannerSlot>
      );
    case 'connected': {
      // A hosted UI newer than the installed helper: what the helper lacks is refused with a
      // reason (helperCall); this says why once, instead of leaving people to find out.
      const missing = missingMethods(welcome);
      if (missing.length > 0 && welcome !== null) {
        return (
          <BannerSlot tone="warn">
            <strong>Update the OpenUTM helper</strong> — it is older than this app (helper {welcome.helperVersion}), so{' '}
            {missing.length === 1 ? 'one feature is' : `${missing.length} features are`} switched off until you install the new helper ({missing.join(', ')}).
          </BannerSlot>
        );
      }
      if (!reconnected) return <BannerSlot />;
      return (
        <BannerSlot tone="ok">
          <strong>Reconnected.</strong> The helper at {address} is back; the library is up to date.
        </BannerSlot>
      );
    }
    default:
      return <BannerSlot />;
  }
}

const buttonClass =
  'shrink-0 rounded-md border border-current/30 bg-white/70 px-3 py-1 text-sm font-medium hover:bg-white dark:bg-black/20 dark:hover:bg-black/40';

const TONES = {
  ok: 'border-emerald-200 bg-emerald-50 text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-100',
  info: 'border-sky-200 bg-sky-50 text-sky-900 dark:border-sky-900 dark:bg-sky-950 dark:text-sky-100',
  warn: 'border-amber-200 bg-amber-50 text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100',
  error: 'border-red-200 bg-red-50 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100',
};

// The live region is always in the page, so screen readers hear a message when one appears.
// The message sits at the foot of the window, over the page, because it depends on the helper's
// answer, which comes after the first screen is painted: above the page it would push everything
// down (a layout shift). The page gets the banner's height as room at its end, so nothing is hidden.
function BannerSlot({ tone, action, children }: { tone?: keyof typeof TONES; action?: ReactNode; children?: ReactNode }) {
  const bar = useRoomAtPageEnd();
  return (
    <div role="status" aria-live="polite" data-testid="connection-banner">
      {children !== undefined && tone !== undefined && (
        <div ref={bar} className={cx('fixed inset-x-0 bottom-0 z-30 border-t shadow-[0_-4px_12px_rgb(0_0_0/0.06)]', TONES[tone])}>
          <div className="mx-auto flex w-full max-w-7xl items-center gap-4 px-4 py-3 text-sm sm:px-6">
            <p className="min-w-0 flex-1">{children}</p>
            {action}
          </div>
        </div>
      )}
    </div>
  );
}

// Keeps the page's end clear of the fixed banner: the body's bottom padding follows its height
// (growing the page at its end moves nothing on screen).
function useRoomAtPageEnd(): (el: HTMLDivElement | null) => void {
  return useCallback((el: HTMLDivElement | null) => {
    const body = document.body;
    if (el === null) {
      body.style.paddingBottom = '';
      return;
    }
    const observer = new ResizeObserver(() => (body.style.paddingBottom = `${el.offsetHeight}px`));
    observer.observe(el);
    return () => {
      observer.disconnect();
      body.style.paddingBottom = '';
    };
  }, []);
}

// How long "Reconnected" stays up after the helper comes back.
const RECONNECTED_NOTICE_MS = 6_000;

// True for a few seconds after the connection comes back from a drop (not on the first connect).
function useReconnectedNotice(phase: ConnectionPhase): boolean {
  const [last, setLast] = useState(phase);
  const [shown, setShown] = useState(false);
  if (phase !== last) {
    setLast(phase);
    setShown(phase === 'connected' && (last === 'helper-offline' || last === 'reconnecting'));
  }
  useEffect(() => {
    if (!shown) return;
    const timer = setTimeout(() => setShown(false), RECONNECTED_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [shown]);
  return shown;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
