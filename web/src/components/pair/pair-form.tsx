'use client';

import { isOpenUtmError } from '@openutm/shared';
import { AppLink } from '../nav/app-link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { helperPair, helperUnpair } from '../../helper-client/api';
import { errorMessage } from '../../helper-client/client-errors';
import { displayAddress, parseHelperOrigin } from '../../helper-client/helper-address';
import { useConnection } from '../../stores/connection-store';
import { MessageText } from '../text/message-text';
import { CODE_EXAMPLE, displayCode } from './code-shape';
import { codeFromFragment, USED_LINK_MESSAGE } from './link-code';

type Phase = { kind: 'idle' } | { kind: 'pairing' } | { kind: 'paired'; address: string } | { kind: 'failed'; message: string; usedLink?: boolean };

// What a refusal means for the person holding the code.
function pairingFailure(e: unknown, address: string): string {
  if (isOpenUtmError(e)) {
    // The helper usually says what to do already; add it only when it does not.
    if (e.code === 'UNAUTHORIZED') {
      return /openutm pair/.test(e.message) ? sentence(e.message) : `${sentence(e.message)} Codes work once and expire after a few minutes: run \`openutm pair\` for a new one.`;
    }
    if (e.code === 'HELPER_UNAVAILABLE') return `Cannot reach the helper at ${address}. Start it with \`npm start\` (in the OpenUTM folder) or \`openutm serve\`, then try again.`;
  }
  return sentence(errorMessage(e));
}

// The helper writes its messages as clauses ("that code is …"); here they stand alone.
function sentence(text: string): string {
  const capitalized = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalized) ? capitalized : `${capitalized}.`;
}

// `/pair`'s form: trades a one-time code for a token, then opens the library. `/pair#code=…` (the
// one-click link) does it by itself; `/pair?code=…` (from `openutm pair`) fills the code in.
export function PairForm() {
  const params = useSearchParams();
  const router = useRouter();
  const connection = useConnection();
  const [code, setCode] = useState(() => displayCode(params.get('code') ?? ''));
  // null: use the helper the page already talks to.
  const [addressInput, setAddressInput] = useState<string | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const codeId = useId();
  const addressId = useId();
  const hintId = useId();
  const address = addressInput ?? displayAddress(connection.helperOrigin);
  const alreadyPaired = connection.phase === 'connected' && addressInput === null;
  // A link's code (`/pair#code=…`), read once after the page loads; null when there is none.
  const linkCode = useRef<string | null | undefined>(undefined);

  // One click from the link `openutm serve` prints or the tray opens: the code is traded without
  // typing, once the page knows whether it is paired already (then the code is left to expire,
  // so opening OpenUTM again does not pile up paired clients).
  useEffect(() => {
    if (linkCode.current === undefined) {
      linkCode.current = codeFromFragment(window.location.hash);
      // The fragment is a one-time credential: not kept in the address bar or history.
      if (linkCode.current !== null) window.history.replaceState(null, '', window.location.pathname + window.location.search);
    }
    const code = linkCode.current;
    if (code === null || connection.booting || connection.phase === 'connecting') return;
    linkCode.current = null;
    if (connection.phase === 'connected') {
      router.replace('/');
      return;
    }
    const origin = connection.helperOrigin;
    setCode(displayCode(code));
    setPhase({ kind: 'pairing' });
    helperPair(origin, code).then(
      () => {
        setPhase({ kind: 'paired', address: displayAddress(origin) });
        router.replace('/');
      },
      (err: unknown) => {
        const used = isOpenUtmError(err) && err.code === 'UNAUTHORIZED';
        setPhase({ kind: 'failed', message: used ? USED_LINK_MESSAGE : pairingFailure(err, displayAddress(origin)), usedLink: used });
      },
    );
  }, [connection.booting, connection.phase, connection.helperOrigin, router]);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const origin = parseHelperOrigin(address);
    if (origin === null) {
      setPhase({ kind: 'failed', message: 'The helper address must be on this computer, like 127.0.0.1:47320.' });
      return;
    }
    if (code.trim() === '') {
      setPhase({ kind: 'failed', message: 'Enter the code that `openutm pair` printed.' });
      return;
    }
    setPhase({ kind: 'pairing' });
    try {
      await helperPair(origin, code);
      setPhase({ kind: 'paired', address: displayAddress(origin) });
      router.replace('/');
    } catch (err) {
      setPhase({ kind: 'failed', message: pairingFailure(err, displayAddress(origin)) });
    }
  }

  return (
    <section aria-label="Enter the code" className="rounded-2xl border border-neutral-200 bg-white p-6 shadow-sm dark:border-neutral-800 dark:bg-neutral-900">
      {alreadyPaired && phase.kind !== 'paired' && (
        <div className="mb-5 rounded-lg bg-emerald-50 p-3 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100">
          This browser is already paired with the helper at <code>{address}</code>.{' '}
          <AppLink href="/" className="font-medium underline">
            Open the library
          </AppLink>{' '}
          or{' '}
          <button type="button" onClick={helperUnpair} className="font-medium underline">
            forget this pairing
          </button>
          .
        </div>
      )}
      <form onSubmit={onSubmit} noValidate className="space-y-5">
        <div>
          <label htmlFor={codeId} className="block text-sm font-medium">
            Pairing code
          </label>
          <input
            id={codeId}
            name="code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            onBlur={(e) => setCode(displayCode(e.target.value))}
            autoComplete="one-time-code"
            autoCapitalize="characters"
            autoCorrect="off"
            spellCheck={false}
            maxLength={32}
            placeholder={CODE_EXAMPLE}
            aria-describedby={hintId}
            className="mt-1.5 w-full rounded-lg border border-neutral-300 bg-white px-3 py-2.5 font-mono text-lg tracking-widest uppercase placeholder:text-neutral-300 dark:border-neutral-700 dark:bg-neutral-950 dark:placeholder:text-neutral-700"
          />
          <p id={hintId} className="mt-1.5 text-xs text-neutral-600 dark:text-neutral-400">
            From <code>openutm pair</code>. Dashes and case do not matter.
          </p>
        </div>
        <div>
          <label htmlFor={addressId} className="block text-sm font-medium">
            Helper address
          </label>
          <input
            id={addressId}
            name="helper"
            value={address}
            onChange={(e) => setAddressInput(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            className="mt-1.5 w-full rounded-lg border border-neutral-300 bg-white px-3 py-2 font-mono text-sm dark:border-neutral-700 dark:bg-neutral-950"
          />
          <p className="mt-1.5 text-xs text-neutral-600 dark:text-neutral-400">On this computer only; the default is 127.0.0.1:47320 (OPENUTM_PORT).</p>
        </div>
        <div className="flex items-center gap-3">
          <button
            type="submit"
            disabled={phase.kind === 'pairing' || phase.kind === 'paired'}
            className="rounded-lg bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800 disabled:opacity-60"
          >
            {phase.kind === 'pairing' ? 'Pairing…' : 'Pair'}
          </button>
        </div>
        <div role="status" aria-live="polite" className="min-h-5 text-sm">
          {phase.kind === 'paired' && (
            <p className="text-emerald-700 dark:text-emerald-400">Paired with the helper at {phase.address}. Opening your library…</p>
          )}
          {phase.kind === 'failed' && (
            <p className="text-red-700 dark:text-red-400" data-testid={phase.usedLink ? 'used-link' : undefined}>
              <MessageText text={phase.message} />
            </p>
          )}
        </div>
      </form>
    </section>
  );
}
