'use client';

import { whyCannotRevoke } from '@openutm/shared';
import { AppLink } from '../nav/app-link';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { errorMessage } from '../../helper-client/client-errors';
import { displayAddress } from '../../helper-client/helper-address';
import { authRevoke, authTokens } from '../../helper-client/settings-api';
import { useConnection } from '../../stores/connection-store';
import { useTokens } from '../../stores/host-store';
import { BUTTON } from '../form/fields';
import { readTelemetry, readTheme, saveTelemetry, saveTheme, subscribePreferences, type Theme } from './local-preferences';
import { FailureAlert } from '../form/use-action';

const THEMES: ReadonlyArray<{ value: Theme; label: string }> = [
  { value: 'system', label: 'Same as the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

function when(iso: string | null): string {
  return iso === null ? 'never' : new Date(iso).toLocaleString();
}

// `/preferences`: which helper this browser talks to, the clients paired with it (revocable),
// the theme, and the telemetry choice.
export function Preferences() {
  const connection = useConnection();
  const tokens = useTokens();
  // A browser is never the local token: it may revoke itself only (shared's auth-permissions).
  const selfId = tokens?.find((t) => t.current)?.id ?? '';
  const connected = connection.phase === 'connected';
  // null in the static HTML, which cannot know this browser's storage.
  const theme = useSyncExternalStore<Theme | null>(subscribePreferences, readTheme, () => null);
  const telemetry = useSyncExternalStore<boolean | null>(subscribePreferences, readTelemetry, () => null);
  const [failure, setFailure] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);

  useEffect(() => {
    if (connected) void authTokens().catch((e: unknown) => setFailure(errorMessage(e)));
  }, [connected]);

  async function revoke(id: string) {
    setRevoking(id);
    setFailure(null);
    try {
      await authRevoke(id);
    } catch (e) {
      setFailure(`Could not revoke: ${errorMessage(e)}`);
    } finally {
      setRevoking(null);
    }
  }

  return (
    <div className="mx-auto max-w-3xl space-y-8">
      <h1 className="text-2xl font-semibold tracking-tight">Preferences</h1>

      <section aria-labelledby="pref-helper" className="space-y-2">
        <h2 id="pref-helper" className="text-lg font-semibold">
          Helper
        </h2>
        {/* Two lines held on narrow screens: the address and version arrive with the helper's answer. */}
        <p className="min-h-[2lh] text-sm sm:min-h-0">
          {/* The address and its comma hold one width (127.0.0.1:47320, is 16 characters) with a break after them either way, so
              their arrival moves no text; a comma glued on after the box could push the address to the next line. */}
          This browser talks to the helper at{' '}
          <span className="inline-block min-w-[16ch] font-mono">
            <span data-testid="helper-address">{connection.booting ? '…' : displayAddress(connection.helperOrigin)}</span>
            {connected ? ',' : ''}
          </span>
          {connected ? ` version ${connection.welcome?.helperVersion ?? '?'}.` : ' (not connected).'}
        </p>
        <AppLink href="/pair" className={BUTTON.secondary}>
          Pair with another helper
        </AppLink>
      </section>

      <section aria-labelledby="pref-theme" className="space-y-2">
        <h2 id="pref-theme" className="text-lg font-semibold">
          Theme
        </h2>
        <div role="radiogroup" aria-labelledby="pref-theme" className="flex flex-wrap gap-2">
          {THEMES.map((t) => (
            <label key={t.value} className="flex cursor-pointer items-center gap-2 rounded-lg border border-neutral-300 px-3 py-2 text-sm has-[:checked]:border-sky-600 has-[:checked]:bg-sky-50 dark:border-neutral-700 dark:has-[:checked]:bg-sky-950">
              <input
                type="radio"
                name="theme"
                value={t.value}
                checked={theme === t.value}
                onChange={() => saveTheme(t.value)}
                className="accent-sky-600"
              />
              {t.label}
            </label>
          ))}
        </div>
      </section>

      <section aria-labelledby="pref-telemetry" className="space-y-2">
        <h2 id="pref-telemetry" className="text-lg font-semibold">
          Usage statistics
        </h2>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            name="telemetry"
            checked={telemetry ?? false}
            disabled={telemetry === null}
            onChange={(e) => saveTelemetry(e.target.checked)}
            className="size-4 accent-sky-600"
          />
          Share anonymous usage statistics
        </label>
        <p className="text-xs text-neutral-600 dark:text-neutral-400">Off unless you turn it on. The choice is kept in this browser only, and this version of OpenUTM sends nothing either way.</p>
      </section>

      {/* Last: its length is known only when the helper answers, and nothing below it may move. */}
      <section aria-labelledby="pref-clients" className="space-y-2">
        <h2 id="pref-clients" className="text-lg font-semibold">
          Paired clients
        </h2>
        <p className="text-sm text-neutral-600 dark:text-neutral-400">
          Browsers and tools that may control this helper. Revoking one closes its connections and consoles, and it must pair again. This browser can
          revoke itself; other clients are revoked from this computer with <code>openutm tokens revoke &lt;id&gt;</code>.
        </p>
        <FailureAlert failure={failure} />
        {!connected && <p className="text-sm">Connect to the helper to see its paired clients.</p>}
        {connected && tokens !== null && (
          <ul aria-label="Paired clients" className="divide-y divide-neutral-200 rounded-xl border border-neutral-200 dark:divide-neutral-800 dark:border-neutral-800">
            {tokens.map((t) => {
              const refusal = whyCannotRevoke(selfId, t.id);
              return (
                <li key={t.id} data-testid="paired-client" data-token-id={t.id} className="flex flex-wrap items-center gap-3 p-3 text-sm">
                  <div className="min-w-0 flex-1">
                    <p className="font-medium">
                      {t.name}
                      {t.current && <span className="ml-2 rounded-full bg-sky-100 px-2 py-0.5 text-xs text-sky-800 dark:bg-sky-950 dark:text-sky-200">this browser</span>}
                    </p>
                    <p className="text-xs text-neutral-600 dark:text-neutral-400">
                      Paired {when(t.createdAt)} · last used {when(t.lastUsedAt)} · id <span className="font-mono">{t.id}</span>
                    </p>
                    {refusal !== null && (
                      <p id={`revoke-why-${t.id}`} data-testid="revoke-reason" className="text-xs text-neutral-600 dark:text-neutral-400">
                        Revoke it from this computer: <code>openutm tokens revoke {t.id}</code>
                      </p>
                    )}
                  </div>
                  <button
                    type="button"
                    className={BUTTON.secondary}
                    disabled={revoking !== null || refusal !== null}
                    title={refusal ?? undefined}
                    aria-describedby={refusal !== null ? `revoke-why-${t.id}` : undefined}
                    aria-label={`Revoke ${t.name}${t.current ? ' (this browser)' : ''}`}
                    onClick={() => {
                      if (t.current && !window.confirm('Revoke this browser? It will have to pair again.')) return;
                      void revoke(t.id);
                    }}
                  >
                    {revoking === t.id ? 'Revoking…' : 'Revoke'}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
