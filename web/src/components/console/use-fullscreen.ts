'use client';

import { useEffect, useState, useSyncExternalStore, type RefObject } from 'react';

// Fullscreen for the console panel. In fullscreen the page also asks for the keyboard lock
// (Chromium), so Escape and system keys reach the guest; holding Escape leaves fullscreen.
export interface Fullscreen {
  active: boolean;
  supported: boolean;
  toggle(): void;
}

interface KeyboardLock {
  lock?: () => Promise<void>;
  unlock?: () => void;
}

export function useFullscreen(ref: RefObject<HTMLElement | null>): Fullscreen {
  const [active, setActive] = useState(false);
  // Read after hydration (the static HTML cannot know), without a re-render loop.
  const supported = useSyncExternalStore(noSubscription, () => document.fullscreenEnabled, () => false);
  useEffect(() => {
    const onChange = () => {
      const now = document.fullscreenElement !== null && document.fullscreenElement === ref.current;
      setActive(now);
      const keyboard = (navigator as Navigator & { keyboard?: KeyboardLock }).keyboard;
      if (now) void keyboard?.lock?.().catch(() => undefined);
      else keyboard?.unlock?.();
    };
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, [ref]);
  return {
    active,
    supported,
    toggle() {
      if (document.fullscreenElement) void document.exitFullscreen();
      else void ref.current?.requestFullscreen().catch(() => undefined);
    },
  };
}

function noSubscription(): () => void {
  return () => undefined;
}
