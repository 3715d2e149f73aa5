'use client';

import { AppLink } from '../nav/app-link';
import { usePathname } from 'next/navigation';
import { cx } from '../cx';

// Pairing is not a section: while unpaired, the banner's one button leads there; once paired,
// Preferences does (pair with another helper).
const NAV = [
  { href: '/', label: 'Library' },
  { href: '/preferences', label: 'Preferences' },
];

// The app's sections, as a row in the top bar or a column in the narrow menu; the current one
// marked for eyes and screen readers.
export function NavLinks({ layout, onNavigate }: { layout: 'row' | 'column'; onNavigate?: () => void }) {
  const pathname = usePathname();
  return NAV.map((item) => {
    const current = item.href === '/' ? pathname === '/' : pathname.startsWith(item.href);
    return (
      <AppLink
        key={item.href}
        href={item.href}
        onClick={onNavigate}
        aria-current={current ? 'page' : undefined}
        className={cx(
          'rounded-md font-medium',
          layout === 'row' ? 'px-3 py-1.5' : 'block px-3 py-2.5',
          current
            ? 'bg-neutral-200/70 text-neutral-900 dark:bg-neutral-800 dark:text-white'
            : 'text-neutral-600 hover:bg-neutral-100 hover:text-neutral-900 dark:text-neutral-400 dark:hover:bg-neutral-800 dark:hover:text-white',
        )}
      >
        {item.label}
      </AppLink>
    );
  });
}
