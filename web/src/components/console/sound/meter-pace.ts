// How often the console's sound meter looks at the sound: every animation frame while what it
// shows is moving, and only POLL_MS apart once it has stood still for QUIET_FRAMES frames. A
// console left open on a silent guest then asks the browser for no frames at all (a loop of
// animation frames keeps the renderer and the GPU process drawing 60 times a second, CPU an
// emulated guest's host would rather give the guest), and sound starting shows within POLL_MS.
export const QUIET_FRAMES = 30;
export const POLL_MS = 100;

// What the pace needs from the page, so that a test can drive it.
export interface MeterClock {
  frame(run: () => void): number;
  cancelFrame(id: number): void;
  after(ms: number, run: () => void): number;
  cancelAfter(id: number): void;
}

export const browserClock: MeterClock = {
  frame: (run) => requestAnimationFrame(run),
  cancelFrame: (id) => cancelAnimationFrame(id),
  after: (ms, run) => window.setTimeout(run, ms),
  cancelAfter: (id) => window.clearTimeout(id),
};

// Runs `draw` (which says whether it changed anything shown) at that pace until stopped.
export function paceMeter(draw: () => boolean, clock: MeterClock = browserClock): () => void {
  let quiet = 0;
  let frame: number | null = null;
  let timer: number | null = null;
  let stopped = false;
  const tick = (): void => {
    frame = null;
    timer = null;
    if (stopped) return;
    quiet = draw() ? 0 : quiet + 1;
    if (quiet < QUIET_FRAMES) frame = clock.frame(tick);
    else timer = clock.after(POLL_MS, tick);
  };
  frame = clock.frame(tick);
  return () => {
    stopped = true;
    if (frame !== null) clock.cancelFrame(frame);
    if (timer !== null) clock.cancelAfter(timer);
  };
}
