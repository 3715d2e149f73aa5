// Connections that have not said hello yet, oldest first. When the room is full, a newcomer
// evicts the oldest instead of being turned away: a flood of silent sockets (from a VM's guest,
// say) then only ever pushes out its own, and the real UI or CLI, arriving last, gets in. Each
// waits helloTimeoutMs at most anyway.
export class HelloWaitingRoom {
  // A Set keeps insertion order, so its first entry is the one that has waited longest.
  private readonly waiting = new Set<() => void>();

  constructor(private readonly capacity: number) {}

  // Seats a connection; `evict` is called if it is pushed out. Returns how it leaves (idempotent).
  enter(evict: () => void): () => void {
    while (this.waiting.size >= Math.max(1, this.capacity)) {
      const oldest = this.waiting.values().next().value!;
      this.waiting.delete(oldest);
      oldest();
    }
    this.waiting.add(evict);
    return () => void this.waiting.delete(evict);
  }

  get size(): number {
    return this.waiting.size;
  }
}
