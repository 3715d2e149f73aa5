// Counts events in a sliding window: "more than `max` within `windowMs`". Memory is bounded by
// max + 1 timestamps, because the caller acts as soon as the limit is passed.
export class WindowCounter {
  private readonly times: number[] = [];

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  // Records one event; true when this one takes the count past the limit.
  hit(): boolean {
    const t = this.now();
    this.times.push(t);
    while (this.times.length > 0 && this.times[0]! <= t - this.windowMs) this.times.shift();
    if (this.times.length > this.max + 1) this.times.shift();
    return this.times.length > this.max;
  }
}
