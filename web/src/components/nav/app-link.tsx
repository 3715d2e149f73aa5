'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { ComponentProps, FocusEvent, MouseEvent, TouchEvent } from 'react';

type AppLinkProps = Omit<ComponentProps<typeof Link>, 'href' | 'prefetch'> & { href: string };

// The app's in-app link. Next prefetches every link as soon as it is on screen, which on a
// phone means fetching and parsing each route's data while the page is still loading (Lighthouse
// mobile counted it against the load). Here a route is prefetched only once someone shows the
// intent to open it: the pointer on it, a finger down on it, or the keyboard focus.
export function AppLink({ href, onMouseEnter, onTouchStart, onFocus, ...rest }: AppLinkProps) {
  const router = useRouter();
  const warm = () => router.prefetch(href);
  return (
    <Link
      {...rest}
      href={href}
      prefetch={false}
      onMouseEnter={(e: MouseEvent<HTMLAnchorElement>) => {
        warm();
        onMouseEnter?.(e);
      }}
      onTouchStart={(e: TouchEvent<HTMLAnchorElement>) => {
        warm();
        onTouchStart?.(e);
      }}
      onFocus={(e: FocusEvent<HTMLAnchorElement>) => {
        warm();
        onFocus?.(e);
      }}
    />
  );
}
