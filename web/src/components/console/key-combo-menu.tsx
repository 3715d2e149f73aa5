'use client';

import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { comboLabel, KEY_COMBOS, type KeyCombo } from './guest-keys';
import { toolbarButton } from './toolbar-button';

// "Keys ▾": sends combos the browser or the host would swallow (Ctrl+Alt+Del, Ctrl+Alt+F2 …).
// A menu button: Enter/Space/↓ opens it, ↑/↓/Home/End move, Escape closes, focus comes back.
export function KeyComboMenu({ disabledReason, onSend }: { disabledReason: string | null; onSend: (combo: KeyCombo) => void }) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const itemsRef = useRef<Array<HTMLButtonElement | null>>([]);
  const enabled = disabledReason === null;

  // Which item takes focus when the menu opens; focused once its items are in the page (a
  // frame callback could run before React had rendered them, and focus stayed on the button).
  const focusOnOpen = useRef(0);
  const focusItem = (i: number) => itemsRef.current[(i + KEY_COMBOS.length) % KEY_COMBOS.length]?.focus();
  const openMenu = (first: number) => {
    if (!enabled) return;
    focusOnOpen.current = first;
    setOpen(true);
  };
  useEffect(() => {
    if (open) itemsRef.current[focusOnOpen.current]?.focus();
  }, [open]);
  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };
  const onMenuKey = (e: KeyboardEvent, i: number) => {
    const moves: Record<string, number> = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: KEY_COMBOS.length - 1 };
    if (e.key in moves) {
      e.preventDefault();
      focusItem(moves[e.key] ?? 0);
    } else if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      close();
    }
  };

  return (
    <div className="relative">
      <button
        ref={buttonRef}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={menuId}
        aria-disabled={!enabled}
        title={enabled ? 'Send a key combination to the guest' : `Send keys: ${disabledReason}`}
        onClick={() => (open ? close() : openMenu(0))}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            openMenu(e.key === 'ArrowDown' ? 0 : KEY_COMBOS.length - 1);
          }
        }}
        className={toolbarButton(enabled)}
      >
        Send keys ▾
      </button>
      <div
        id={menuId}
        role="menu"
        aria-label="Key combinations"
        hidden={!open}
        onBlur={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null) && e.relatedTarget !== buttonRef.current) setOpen(false);
        }}
        className="absolute top-full left-0 z-30 mt-1 max-h-96 w-80 overflow-auto rounded-xl border border-neutral-200 bg-white p-1 shadow-lg dark:border-neutral-700 dark:bg-neutral-900"
      >
        {KEY_COMBOS.map((combo, i) => (
          <button
            key={combo.id}
            ref={(el) => {
              itemsRef.current[i] = el;
            }}
            type="button"
            role="menuitem"
            tabIndex={-1}
            data-combo={combo.id}
            onKeyDown={(e) => onMenuKey(e, i)}
            onClick={() => {
              setOpen(false);
              onSend(combo);
            }}
            className="flex w-full items-baseline justify-between gap-3 rounded-lg px-3 py-2 text-left text-sm hover:bg-neutral-100 focus:bg-sky-50 focus:outline-none dark:hover:bg-neutral-800 dark:focus:bg-sky-950"
          >
            <kbd className="font-mono font-medium">{comboLabel(combo)}</kbd>
            <span className="text-xs text-neutral-500 dark:text-neutral-400">{combo.hint}</span>
          </button>
        ))}
      </div>
    </div>
  );
}
