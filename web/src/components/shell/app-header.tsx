'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cx } from '../cx';
import { ConnectionPill } from './connection-pill';

// Pairing is not a section: while unpaired, the banner's one button leads there; once paired,
// Preferences does (pair with another helper).
const NAV = [
  { href: '/', label: 'Library' },
  { href: '/preferences', label: 'Preferences' },
];

// The top bar: the app, its sections, and whether the helper is there.
export function AppHeader() {
  const pathname = usePathname();
  return (
    <header className="sticky top-0 z-20 border-b border-neutral-200 bg-white/80 backdrop-blur dark:border-neutral-800 dark:bg-neutral-900/80">
      <div className="mx-auto flex h-14 w-full max-w-7xl items-center gap-3 px-4 sm:gap-6 sm:px-6">
        <Link href="/" className="flex items-center gap-2 rounded-md font-semibold tracking-tight">
          <svg aria-hidden viewBox="0 0 64 64" className="size-7">
            <rect width="64" height="64" rx="14" fill="#0284c7" />
            <rect x="12" y="14" width="40" height="28" rx="4" fill="none" stroke="#fff" strokeWidth="4" />
            <path d="M24 50h16M32 42v8" stroke="#fff" strokeWidth="4" strokeLinecap="round" />
            <circle cx="32" cy="28" r="6" fill="#fff" />
          </svg>
          OpenUTM
        </Link>
        <nav aria-label="Main" className="flex items-center gap-1 text-sm">
          {NAV.map((item) => {
            const current = item.href === '/' ? pathname === '/' : pathname.startsWith(item.href);
            return (
              <Link
                key={item.href}
                href={item.href}
                aria-current={current ? 'page' : undefined}
                className={cx(
                  'rounded-md px-2 py-1.5 font-medium sm:px-3',
                  current
                    ? 'bg-neutral-200/70 text-neutral-900 dark:bg-neutral-800 dark:text-white'
                    : 'text-neutral-600 hover:bg-neutral-100 hover:text-neutral-900 dark:text-neutral-400 dark:hover:bg-neutral-800 dark:hover:text-white',
                )}
              >
                {item.label}
              </Link>
            );
          })}
        </nav>
        <div className="ml-auto">
          <ConnectionPill />
        </div>
      </div>
    </header>
  );
}
