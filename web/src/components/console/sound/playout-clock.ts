// When each block of received audio plays, on the audio clock (seconds). Blocks play back to
// back; a small jitter buffer (`target`) absorbs uneven arrival over the WebSocket. A block
// that arrives after its slot has passed (an underrun) restarts the queue `target` ahead of
// now; a block that would start more than `maxLatency` ahead is dropped, so a burst (the tab
// was in the background, the audio clock was suspended) never leaves the sound lagging.
export interface PlayoutOptions {
  target: number;
  maxLatency: number;
  // Closer than this to now counts as late: the node could not be started in time.
  minLead: number;
}

export const DEFAULT_PLAYOUT: PlayoutOptions = { target: 0.05, maxLatency: 0.25, minLead: 0.005 };

export class PlayoutClock {
  private next: number | null = null;
  underruns = 0;
  dropped = 0;

  constructor(private readonly opts: PlayoutOptions = DEFAULT_PLAYOUT) {}

  // The start time of a block of `duration` seconds arriving at `now`, or null to drop it.
  place(now: number, duration: number): number | null {
    let start = this.next;
    if (start === null || start < now + this.opts.minLead) {
      if (start !== null) this.underruns++;
      start = now + this.opts.target;
    } else if (start > now + this.opts.maxLatency) {
      this.dropped++;
      return null;
    }
    this.next = start + duration;
    return start;
  }

  // How far ahead of now the queue reaches (the latency the buffer adds).
  queued(now: number): number {
    return this.next === null ? 0 : Math.max(0, this.next - now);
  }

  // The stream stopped: the next block starts a fresh queue.
  reset(): void {
    this.next = null;
  }
}
