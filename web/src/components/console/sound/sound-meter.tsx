'use client';

import { useEffect, useRef } from 'react';
import type { ConsoleSound } from './console-sound';

// How loud the guest plays, redrawn every frame straight into the DOM (a React render per
// frame would be wasted work). The data attributes are what the sound test reads.
export function SoundMeter({ sound }: { sound: ConsoleSound | null }) {
  const meter = useRef<HTMLDivElement>(null);
  const bar = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = meter.current;
    const fill = bar.current;
    if (!el || !fill || !sound) return;
    let frame = 0;
    const draw = () => {
      const s = sound.stats();
      // RMS of a full-scale sine is 0.707: scale so that a loud sound fills the bar.
      const shown = Math.min(1, s.level * 1.4);
      fill.style.transform = `scaleX(${shown})`;
      el.setAttribute('aria-valuenow', String(Math.round(shown * 100)));
      el.dataset.level = s.level.toFixed(4);
      el.dataset.peak = s.peak.toFixed(4);
      el.dataset.blocks = String(s.blocks);
      el.dataset.bytes = String(s.bytes);
      el.dataset.queuedMs = (s.queued * 1000).toFixed(0);
      el.dataset.micLevel = s.micLevel.toFixed(4);
      el.dataset.guestVolume = s.guestVolume.map((v) => v.toFixed(2)).join(' ');
      el.dataset.guestMuted = String(s.guestMuted);
      frame = requestAnimationFrame(draw);
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
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
