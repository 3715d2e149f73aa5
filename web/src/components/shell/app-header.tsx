'use client';

import { AppLink } from '../nav/app-link';
import { ConnectionPill } from './connection-pill';
import { NarrowMenu } from './narrow-menu';
import { NavLinks } from './nav-links';

// The top bar: the app, its sections, and whether the helper is there (folded into a menu on
// narrow windows).
export function AppHeader() {
  return (
    <header className="sticky top-0 z-20 border-b border-neutral-200 bg-white/80 backdrop-blur dark:border-neutral-800 dark:bg-neutral-900/80">
      <div className="mx-auto flex h-14 w-full max-w-7xl items-center gap-3 px-4 sm:gap-6 sm:px-6">
        <AppLink href="/" className="flex items-center gap-2 rounded-md font-semibold tracking-tight">
          <svg aria-hidden viewBox="0 0 64 64" className="size-7">
            <rect width="64" height="64" rx="14" fill="#0284c7" />
            <rect x="12" y="14" width="40" height="28" rx="4" fill="none" stroke="#fff" strokeWidth="4" />
            <path d="M24 50h16M32 42v8" stroke="#fff" strokeWidth="4" strokeLinecap="round" />
            <circle cx="32" cy="28" r="6" fill="#fff" />
          </svg>
          OpenUTM
        </AppLink>
        <nav aria-label="Main" className="hidden items-center gap-1 text-sm sm:flex">
          <NavLinks layout="row" />
        </nav>
        <div className="ml-auto hidden sm:block">
          <ConnectionPill />
        </div>
        <NarrowMenu />
      </div>
    </header>
  );
}
