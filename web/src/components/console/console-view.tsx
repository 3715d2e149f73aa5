'use client';

import '@xterm/xterm/css/xterm.css';
import { canPerform, whyNot } from '@openutm/shared';
import { AppLink } from '../nav/app-link';
import { useSearchParams } from 'next/navigation';
import { useId, useRef, useState, type KeyboardEvent } from 'react';
import { vmStart } from '../../helper-client/api';
import { errorMessage } from '../../helper-client/client-errors';
import { useConnection } from '../../stores/connection-store';
import { useVmLibrary } from '../../stores/vm-store';
import { cx } from '../cx';
import { StateBadge } from '../library/state-badge';
import type { OverlayProps } from './console-overlay';
import { DisplayPane } from './display-pane';
import { SerialPane } from './serial-pane';

const TABS = [
  { id: 'display', label: 'Display' },
  { id: 'serial', label: 'Serial console' },
] as const;
type TabId = (typeof TABS)[number]['id'];

// `/console?vm=<id>`: one VM's screen and serial console, with what stands in the way.
export function ConsoleView() {
  const vmId = useSearchParams().get('vm') ?? '';
  const connection = useConnection();
  const { vms, loaded } = useVmLibrary();
  const vm = vms.get(vmId);
  const [tab, setTab] = useState<TabId>('display');
  const [serialOpened, setSerialOpened] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const tabsId = useId();
  const tabRefs = useRef<Array<HTMLButtonElement | null>>([]);

  const helperUp = connection.phase === 'connected';
  const state = vm?.status.state;
  const allowed = helperUp && state !== undefined && canPerform(state, 'console');
  const name = vm?.config.name ?? vmId;

  const start = () => {
    setStartError(null);
    setStarting(true);
    vmStart(vmId)
      .catch((e: unknown) => setStartError(`Could not start: ${errorMessage(e)}`))
      .finally(() => setStarting(false));
  };

  const blocked: Omit<OverlayProps, 'onReconnect' | 'reconnectReason'> | null = !helperUp
    ? { title: 'Not connected to the helper', detail: 'The helper is not reachable right now (it may be restarting); the page reconnects by itself.', tone: 'info' }
    : vmId === ''
      ? { title: 'No VM chosen', detail: 'Open a console from the library.', tone: 'info' }
      : !vm
        ? { title: loaded ? 'No such VM' : 'Loading…', detail: loaded ? `The helper has no VM with the id “${vmId}”.` : 'Reading the library.', tone: loaded ? 'error' : 'info' }
        : allowed
          ? null
          : {
              title: `${name} is ${state}`,
              detail: startError ?? `${capitalize(whyNot(state!, 'console') ?? 'the console is not available now')}. Start the VM to see its screen.`,
              tone: startError ? 'error' : 'info',
              action: {
                label: starting ? 'Starting…' : state === 'suspended' ? 'Resume VM' : 'Start VM',
                run: start,
                disabledReason: starting ? 'starting…' : whyNot(state!, 'start'),
              },
            };

  const select = (id: TabId) => {
    setTab(id);
    if (id === 'serial') setSerialOpened(true);
  };
  const onTabKey = (e: KeyboardEvent, i: number) => {
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const j = (next + TABS.length) % TABS.length;
    select(TABS[j]?.id ?? 'display');
    tabRefs.current[j]?.focus();
  };

  // The page is the window's height: the header (3.5rem and its 1px border) and main's padding
  // (1.5rem + 4rem) take the rest, so nothing scrolls at 1280×800.
  return (
    <section aria-labelledby={`${tabsId}-title`} className="flex h-[calc(100dvh-9rem-1px)] min-h-[28rem] flex-col gap-3">
      <div className="flex flex-wrap items-center gap-3">
        <AppLink href="/" className="rounded-md text-sm font-medium text-sky-700 hover:underline dark:text-sky-400">
          ← Library
        </AppLink>
        <h1 id={`${tabsId}-title`} className="min-w-0 truncate text-lg font-semibold">
          {name ? `Console · ${name}` : 'Console'}
        </h1>
        {state && <StateBadge state={state} />}
        <div role="tablist" aria-label="Consoles" className="ml-auto flex gap-1 rounded-lg bg-neutral-200/70 p-1 dark:bg-neutral-800">
          {TABS.map((t, i) => (
            <button
              key={t.id}
              ref={(el) => {
                tabRefs.current[i] = el;
              }}
              id={`${tabsId}-${t.id}-tab`}
              type="button"
              role="tab"
              aria-selected={tab === t.id}
              aria-controls={`${tabsId}-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => select(t.id)}
              onKeyDown={(e) => onTabKey(e, i)}
              className={cx(
                'rounded-md px-3 py-1 text-sm font-medium',
                tab === t.id ? 'bg-white shadow-sm dark:bg-neutral-950' : 'text-neutral-600 hover:text-neutral-900 dark:text-neutral-400 dark:hover:text-white',
              )}
            >
              {t.label}
            </button>
          ))}
        </div>
      </div>
      <div
        id={`${tabsId}-display`}
        role="tabpanel"
        aria-labelledby={`${tabsId}-display-tab`}
        hidden={tab !== 'display'}
        className="min-h-0 flex-1 overflow-hidden rounded-2xl border border-neutral-200 dark:border-neutral-800"
      >
        {vmId !== '' && <DisplayPane vmId={vmId} vmName={name} allowed={allowed} blocked={blocked} protocolHint={vm?.config.display.type} keyboardLayout={vm?.config.keyboardLayout ?? 'us'} guestAgentOpen={vm?.status.spiceAgentOpen} />}
      </div>
      <div
        id={`${tabsId}-serial`}
        role="tabpanel"
        aria-labelledby={`${tabsId}-serial-tab`}
        hidden={tab !== 'serial'}
        className="min-h-0 flex-1 overflow-hidden rounded-2xl border border-neutral-200 dark:border-neutral-800"
      >
        {serialOpened && vmId !== '' && <SerialPane vmId={vmId} vmName={name} allowed={allowed} blockedReason={blocked ? blocked.detail : null} />}
      </div>
    </section>
  );
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
