import type { OsPreset } from '@openutm/shared';
import { cx } from '../cx';

// A backdrop per OS family; the card's screen area shows it until screenshots exist.
export const PRESET_BACKDROP: Record<OsPreset, string> = {
  'linux-desktop': 'from-amber-200 to-orange-300 dark:from-amber-900/60 dark:to-orange-900/60',
  'linux-server': 'from-stone-200 to-amber-200 dark:from-stone-800 dark:to-amber-950',
  'windows-10': 'from-sky-200 to-blue-300 dark:from-sky-900/60 dark:to-blue-900/60',
  'windows-11': 'from-sky-200 to-indigo-300 dark:from-sky-900/60 dark:to-indigo-900/60',
  freebsd: 'from-rose-200 to-red-300 dark:from-rose-900/60 dark:to-red-900/60',
  other: 'from-neutral-200 to-neutral-300 dark:from-neutral-800 dark:to-neutral-700',
};

// A simple mark for the guest OS family (not the vendors' logos).
export function PresetIcon({ preset, className }: { preset: OsPreset; className?: string }) {
  return (
    <svg aria-hidden viewBox="0 0 48 48" className={cx('size-12', className)}>
      {preset === 'windows-10' || preset === 'windows-11' ? (
        <g fill="currentColor" className="text-sky-700 dark:text-sky-300">
          <rect x="8" y="8" width="15" height="15" rx="1.5" />
          <rect x="25" y="8" width="15" height="15" rx="1.5" />
          <rect x="8" y="25" width="15" height="15" rx="1.5" />
          <rect x="25" y="25" width="15" height="15" rx="1.5" />
        </g>
      ) : preset === 'linux-desktop' || preset === 'linux-server' ? (
        <g className="text-neutral-900">
          {/* A penguin: body, belly, eyes, beak, feet. */}
          <ellipse cx="24" cy="26" rx="12" ry="16" fill="currentColor" />
          <ellipse cx="24" cy="30" rx="7.5" ry="11" fill="#fff" />
          <circle cx="20" cy="17" r="2" fill="#fff" />
          <circle cx="28" cy="17" r="2" fill="#fff" />
          <path d="M20.5 21.5h7l-3.5 3.5z" fill="#f59e0b" />
          <ellipse cx="17" cy="42" rx="5" ry="2.5" fill="#f59e0b" />
          <ellipse cx="31" cy="42" rx="5" ry="2.5" fill="#f59e0b" />
          {preset === 'linux-server' && <rect x="31" y="4" width="14" height="10" rx="2" fill="#78716c" />}
        </g>
      ) : preset === 'freebsd' ? (
        <g className="text-red-700 dark:text-red-300" fill="currentColor">
          <circle cx="24" cy="27" r="14" />
          <path d="M11 17c-3-5-2-10 1-12 0 5 3 8 6 8zM37 17c3-5 2-10-1-12 0 5-3 8-6 8z" />
        </g>
      ) : (
        <g className="text-neutral-600 dark:text-neutral-300" fill="none" stroke="currentColor" strokeWidth="3">
          <rect x="12" y="12" width="24" height="24" rx="3" />
          <path d="M18 6v6M24 6v6M30 6v6M18 36v6M24 36v6M30 36v6M6 18h6M6 24h6M6 30h6M36 18h6M36 24h6M36 30h6" strokeLinecap="round" />
        </g>
      )}
    </svg>
  );
}
