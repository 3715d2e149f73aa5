'use client';

import { useEffect, useRef } from 'react';
import type { ConsoleSound } from './console-sound';
import { paceMeter } from './meter-pace';

// How loud the guest plays, redrawn straight into the DOM (a React render per frame would be
// wasted work), every frame while it moves (meter-pace.ts). The data attributes are what the
// sound test reads.
export function SoundMeter({ sound }: { sound: ConsoleSound | null }) {
  const meter = useRef<HTMLDivElement>(null);
  const bar = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = meter.current;
    const fill = bar.current;
    if (!el || !fill || !sound) return;
    // What was last written: a silent guest then changes nothing in the DOM from frame to frame,
    // and the page costs the (often emulated) guest's host no style or paint work while idle.
    const shownNow: Record<string, string> = {};
    let changed = false;
    const put = (key: string, value: string, write: (v: string) => void) => {
      if (shownNow[key] === value) return;
      shownNow[key] = value;
      changed = true;
      write(value);
    };
    const draw = (): boolean => {
      changed = false;
      const s = sound.stats();
      // RMS of a full-scale sine is 0.707: scale so that a loud sound fills the bar.
      const shown = Math.min(1, s.level * 1.4);
      put('transform', `scaleX(${shown})`, (v) => (fill.style.transform = v));
      put('valuenow', String(Math.round(shown * 100)), (v) => el.setAttribute('aria-valuenow', v));
      const data: Record<string, string> = {
        level: s.level.toFixed(4),
        peak: s.peak.toFixed(4),
        blocks: String(s.blocks),
        bytes: String(s.bytes),
        queuedMs: (s.queued * 1000).toFixed(0),
        micLevel: s.micLevel.toFixed(4),
        guestVolume: s.guestVolume.map((v) => v.toFixed(2)).join(' '),
        guestMuted: String(s.guestMuted),
      };
      for (const [key, value] of Object.entries(data)) put(key, value, (v) => (el.dataset[key] = v));
      return changed;
    };
    return paceMeter(draw);
  }, [sound]);

  return (
    <div
      ref={meter}
      role="meter"
      aria-label="Guest sound level"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={0}
      data-testid="console-sound-level"
      data-level="0"
      data-blocks="0"
      className="h-2 w-12 overflow-hidden rounded-full bg-neutral-200 dark:bg-neutral-700"
    >
      <div ref={bar} className="h-full w-full origin-left bg-emerald-500" style={{ transform: 'scaleX(0)' }} />
    </div>
  );
}
