import type { Socket } from 'node:net';

// How many sockets may be in the HTTP phase (connected, not yet handed over to a WebSocket) at
// once. A browser opens about six per origin, the CLI one: 128 leaves room for several UIs
// while keeping a flood's share of memory and file descriptors small.
export const DEFAULT_MAX_HTTP_SOCKETS = 128;

// Keeps the number of plain-HTTP sockets bounded without ever refusing a newcomer: when full,
// the oldest idle socket (no request being answered: a half-open connection, a slow sender of
// headers, a spent keep-alive) is closed, else the oldest busy one. A flood therefore evicts
// itself, and a real client's fresh connection gets in. WebSockets leave the budget at the
// upgrade: the API's unauthenticated ones are bounded by the hello waiting room, authenticated
// ones are trusted, console ones are checked by their ticket.
export class SocketBudget {
  // Insertion order = age; the value says whether a request is being answered on it.
  private readonly sockets = new Map<Socket, { busy: boolean }>();
  private evictedCount = 0;

  constructor(
    private readonly max: number = DEFAULT_MAX_HTTP_SOCKETS,
    private readonly onEvict: () => void = () => undefined,
  ) {}

  // A new connection, after the evictions that make room for it.
  admit(socket: Socket): void {
    while (this.sockets.size >= Math.max(1, this.max)) this.evict();
    this.sockets.set(socket, { busy: false });
    socket.once('close', () => this.sockets.delete(socket));
  }

  // A request arrived on the socket (busy) or its answer ended (idle).
  setBusy(socket: Socket, busy: boolean): void {
    const entry = this.sockets.get(socket);
    if (entry) entry.busy = busy;
  }

  // The socket became a WebSocket: other bounds govern it from now on.
  release(socket: Socket): void {
    this.sockets.delete(socket);
  }

  get size(): number {
    return this.sockets.size;
  }

  // Sockets closed to make room, since the start.
  get evicted(): number {
    return this.evictedCount;
  }

  private evict(): void {
    let victim: Socket | undefined;
    for (const [socket, { busy }] of this.sockets) {
      if (!busy) {
        victim = socket;
        break;
      }
    }
    victim ??= this.sockets.keys().next().value!;
    this.sockets.delete(victim);
    this.evictedCount++;
    victim.destroy();
    this.onEvict();
  }
}
