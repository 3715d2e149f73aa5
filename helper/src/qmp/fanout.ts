// Returned by every subscribe; calling it removes the listener.
export type Unsubscribe = () => void;

// A typed listener list. With `holdUntilSubscribed`, values emitted while nobody listens are
// kept (up to that many, newest kept) and handed to the first subscriber on the next microtask,
// in order — QMP events can arrive in the same chunk as the reply that lets connect() resolve,
// before its caller had any chance to subscribe.
export class Fanout<T> {
  private readonly listeners = new Set<(value: T) => void>();
  private held: T[] | null;

  constructor(private readonly holdUntilSubscribed = 0) {
    this.held = holdUntilSubscribed > 0 ? [] : null;
  }

  subscribe(listener: (value: T) => void): Unsubscribe {
    this.listeners.add(listener);
    if (this.held !== null) queueMicrotask(() => this.flush());
    return () => this.listeners.delete(listener);
  }

  emit(value: T): void {
    if (this.held !== null) {
      this.held.push(value);
      if (this.held.length > this.holdUntilSubscribed) this.held.shift();
      return;
    }
    for (const listener of [...this.listeners]) callListener(listener, value);
  }

  // Delivers held values now if someone listens (used before announcing that the source ended).
  flush(): void {
    const held = this.held;
    if (held === null || this.listeners.size === 0) return;
    this.held = null;
    for (const value of held) for (const listener of [...this.listeners]) callListener(listener, value);
  }

  clear(): void {
    this.listeners.clear();
  }
}

// A listener's bug must not leave the caller half-way through a chunk of input; it still
// surfaces as an uncaught exception, as it would from an EventEmitter.
export function callListener<T>(listener: (value: T) => void, value: T): void {
  try {
    listener(value);
  } catch (e) {
    queueMicrotask(() => {
      throw e;
    });
  }
}
