'use client';

import { usePathname } from 'next/navigation';
import { useEffect, useId, useRef, useState } from 'react';
import { ConnectionPill } from './connection-pill';
import { NavLinks } from './nav-links';

// On narrow windows the sections and the connection state fold into one menu button, so the top
// bar never pushes the page sideways. Escape, a click elsewhere or choosing a section closes it;
// closing by keyboard gives focus back to the button.
export function NarrowMenu() {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const panelId = useId();
  const pathname = usePathname();
  const [shownFor, setShownFor] = useState(pathname);
  // A new page (a link, Back) closes the menu.
  if (shownFor !== pathname) {
    setShownFor(pathname);
    setOpen(false);
  }

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    const onPointer = (e: PointerEvent) => {
      const target = e.target as Node;
      if (!panelRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    panelRef.current?.querySelector<HTMLElement>('a')?.focus();
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  return (
    <div className="ml-auto sm:hidden">
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        className="flex items-center gap-2 rounded-md border border-neutral-200 bg-white px-3 py-1.5 text-sm font-medium dark:border-neutral-800 dark:bg-neutral-900"
      >
        <svg aria-hidden viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
          {open ? <path d="M5 5l10 10M15 5L5 15" /> : <path d="M3 6h14M3 10h14M3 14h14" />}
        </svg>
        Menu
      </button>
      <div
        ref={panelRef}
        id={panelId}
        hidden={!open}
        className="absolute inset-x-0 top-full border-b border-neutral-200 bg-white px-4 pt-2 pb-4 shadow-lg dark:border-neutral-800 dark:bg-neutral-900"
      >
        <nav aria-label="Main" className="space-y-1 text-sm">
          {open && <NavLinks layout="column" onNavigate={() => setOpen(false)} />}
        </nav>
        <div className="mt-3 border-t border-neutral-200 pt-3 dark:border-neutral-800">{open && <ConnectionPill inMenu />}</div>
      </div>
    </div>
  );
}
