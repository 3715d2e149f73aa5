'use client';

import { PRESETS, type VmSummary } from '@openutm/shared';
import { useDeferredValue, useEffect, useMemo, useRef, useState, type ReactNode, type RefObject } from 'react';
import { useConnection } from '../../stores/connection-store';
import { useRememberedLibrary } from '../../stores/remembered-library-store';
import { useVmLibrary } from '../../stores/vm-store';
import { SearchIcon } from '../icons/action-icons';
import { NEW_VM_REASON_ID, NewVmButton } from './new-vm-button';
import { VmCard } from './vm-card';

// Name, OS and state all count as a match: "win", "running" and "debian" each find something.
function matches(vm: VmSummary, query: string): boolean {
  if (query === '') return true;
  const haystack = `${vm.config.name} ${PRESETS[vm.config.preset].label} ${vm.config.preset} ${vm.status.state}`.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

// `/`: every VM the helper knows, searchable, with quick actions.
export function VmLibrary() {
  const live = useVmLibrary();
  const remembered = useRememberedLibrary();
  const { phase, booting } = useConnection();
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query.trim());
  // Until the helper's first answer, the list it gave last time (if this browser kept one) stands
  // in for the skeleton: the cards are painted at once, dimmed and without actions. Only while
  // the first connection and vm.list are under way: offline or unpaired, the page says so instead.
  const stale = !live.loaded && remembered !== null && !booting && (phase === 'connecting' || phase === 'connected');
  const vms = useMemo(() => (stale ? [...remembered] : [...live.vms.values()]), [stale, remembered, live.vms]);
  const loaded = live.loaded || stale;
  const connected = phase === 'connected' && !stale;
  const search = useRef<HTMLInputElement>(null);
  useSlashToSearch(search);

  const shown = useMemo(
    () =>
      vms
        .filter((vm) => matches(vm, deferredQuery))
        .sort((a, b) => a.config.name.localeCompare(b.config.name, undefined, { sensitivity: 'base', numeric: true })),
    [vms, deferredQuery],
  );

  return (
    <section aria-labelledby="library-title">
      <div className="flex flex-wrap items-center gap-3 pb-6">
        <h1 id="library-title" className="mr-auto text-2xl font-semibold tracking-tight">
          Library
          {loaded && <span className="ml-2 text-base font-normal text-neutral-600 tabular-nums dark:text-neutral-400">{vms.length}</span>}
        </h1>
        <label className="relative block w-full sm:w-72">
          <span className="sr-only">Search virtual machines</span>
          <span className="pointer-events-none absolute inset-y-0 left-3 grid place-items-center text-neutral-400">
            <SearchIcon />
          </span>
          <input
            ref={search}
            type="search"
            aria-keyshortcuts="/"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Search (press /)"
            className="w-full rounded-lg border border-neutral-300 bg-white py-2 pr-3 pl-10 text-sm placeholder:text-neutral-400 dark:border-neutral-700 dark:bg-neutral-900"
          />
        </label>
        <NewVmButton unpaired={!booting && phase === 'unpaired'} />
      </div>
      <LibraryBody loaded={loaded} stale={stale} phase={booting ? null : phase} total={vms.length} shown={shown} query={deferredQuery} connected={connected} />
    </section>
  );
}

// `/` anywhere on the page (except while typing) jumps to the search box, as on GitHub or Gmail.
function useSlashToSearch(input: RefObject<HTMLInputElement | null>): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const t = e.target as HTMLElement | null;
      if (t !== null && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      e.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [input]);
}

function LibraryBody(props: {
  loaded: boolean;
  // Showing the remembered list, not the helper's answer.
  stale: boolean;
  phase: ReturnType<typeof useConnection>['phase'] | null;
  total: number;
  shown: VmSummary[];
  query: string;
  connected: boolean;
}) {
  const { loaded, stale, phase, total, shown, query, connected } = props;
  if (!loaded) {
    // Before the helper client has looked (the static HTML), both the unpaired screen and the
    // skeleton are there and the pairing boot script's attribute picks one; the same first
    // element stays when the answer is "unpaired", so nothing is painted twice.
    if (phase === null) {
      return (
        <>
          <div className="hidden boot-unpaired:block">
            <UnpairedState />
          </div>
          <div className="boot-unpaired:hidden">
            <SkeletonGrid />
          </div>
        </>
      );
    }
    if (phase === 'unpaired') {
      return (
        <>
          <div>
            <UnpairedState />
          </div>
          {null}
        </>
      );
    }
    if (phase === 'helper-offline' || phase === 'incompatible') {
      return (
        <EmptyState title="Your VMs appear here once the helper answers">
          <p>The banner above says what is wrong and what to do.</p>
        </EmptyState>
      );
    }
    return <SkeletonGrid />;
  }
  if (total === 0) {
    return (
      <EmptyState title="No virtual machines yet" testId="library-empty">
        <p>
          Choose New VM to create one: pick the system you want, its installer image and how much of this computer it may use. VMs made
          with <code>openutm create</code> in a terminal show up here too.
        </p>
      </EmptyState>
    );
  }
  if (shown.length === 0) {
    return (
      <EmptyState title="No match">
        <p>No virtual machine matches “{query}”.</p>
      </EmptyState>
    );
  }
  return (
    <ul role="list" aria-label="Virtual machines" aria-busy={stale || undefined} data-stale={stale || undefined} className="grid grid-cols-1 gap-5 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
      {shown.map((vm) => (
        <li key={vm.config.id}>
          <VmCard vm={vm} connected={connected} />
        </li>
      ))}
    </ul>
  );
}

function UnpairedState() {
  return (
    <EmptyState title="Pair this browser to see your VMs">
      <p>
        The helper only talks to browsers it knows. Open the link <code>openutm pair</code> prints on this computer, or choose Pair this
        browser at the foot of the window and type its code.
      </p>
      <p id={NEW_VM_REASON_ID} className="mt-2">
        New VM is available once this browser is paired.
      </p>
    </EmptyState>
  );
}

function EmptyState({ title, testId, children }: { title: string; testId?: string; children: ReactNode }) {
  return (
    <div data-testid={testId} className="mx-auto max-w-lg rounded-2xl [overflow-wrap:anywhere] border border-dashed border-neutral-300 px-6 py-16 text-center text-sm text-neutral-600 dark:border-neutral-700 dark:text-neutral-400">
      <h2 className="mb-2 text-lg font-semibold text-neutral-900 dark:text-neutral-100">{title}</h2>
      {children}
    </div>
  );
}

function SkeletonGrid() {
  return (
    <div aria-busy="true" aria-label="Loading the library" className="grid grid-cols-1 gap-5 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
      {[0, 1, 2].map((i) => (
        <div key={i} className="h-72 animate-pulse rounded-2xl bg-neutral-200/70 dark:bg-neutral-800/70" />
      ))}
    </div>
  );
}
