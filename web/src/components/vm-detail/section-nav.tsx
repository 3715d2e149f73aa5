'use client';

import { useSyncExternalStore } from 'react';
import { cx } from '../cx';

// The VM page's sections, in page order (ids of the section elements).
export const VM_SECTIONS = [
  { id: 'general', label: 'General' },
  { id: 'system', label: 'System' },
  { id: 'boot', label: 'Boot' },
  { id: 'drives', label: 'Drives' },
  { id: 'network', label: 'Network' },
  { id: 'display', label: 'Display & sound' },
  { id: 'snapshots', label: 'Snapshots' },
  { id: 'log', label: 'Log' },
  { id: 'manage', label: 'Clone & delete' },
] as const;

const LINK = 'block rounded-md px-3 py-1.5 text-sm text-neutral-700 hover:bg-neutral-200/70 hover:text-neutral-900 dark:text-neutral-300 dark:hover:bg-neutral-800 dark:hover:text-white';

// The settings sidebar: beside the sections on wide windows (it stays in view while they
// scroll); folded into a disclosure above them on narrow ones, so nothing scrolls sideways.
export function SectionNav() {
  const current = useSyncExternalStore(onHashChange, () => window.location.hash.slice(1), () => '');
  const links = (
    <ul className="space-y-0.5">
      {VM_SECTIONS.map((s) => (
        <li key={s.id}>
          {/* Choosing a section folds the narrow disclosure again, so the section is what shows. */}
          <a href={`#${s.id}`} aria-current={current === s.id ? 'location' : undefined} className={cx(LINK, current === s.id && 'bg-neutral-200/70 font-medium text-neutral-900 dark:bg-neutral-800 dark:text-white')} onClick={(e) => e.currentTarget.closest('details')?.removeAttribute('open')}>
            {s.label}
          </a>
        </li>
      ))}
    </ul>
  );
  return (
    <>
      <nav aria-label="Settings sections" className="sticky top-20 hidden self-start lg:block">
        {links}
      </nav>
      <details className="rounded-xl border border-neutral-200 bg-white lg:hidden dark:border-neutral-800 dark:bg-neutral-900" data-testid="sections-menu">
        <summary className="cursor-pointer rounded-xl px-4 py-2.5 text-sm font-medium">Go to a section</summary>
        <nav aria-label="Settings sections" className="border-t border-neutral-200 p-2 dark:border-neutral-800">
          {links}
        </nav>
      </details>
    </>
  );
}

// The section last jumped to (the address's #fragment), marked in the sidebar.
function onHashChange(changed: () => void): () => void {
  window.addEventListener('hashchange', changed);
  return () => window.removeEventListener('hashchange', changed);
}
