import type { WebSocket } from 'ws';
import { CLOSE } from '@openutm/shared';

// How long a console WebSocket gets to answer the close frame before it is cut.
const CLOSE_GRACE_MS = 2_000;

// The console WebSockets (SPICE, VNC, serial) open per client token, so that revoking a token
// ends its consoles at once rather than when the person closes the tab.
export class ConsoleOwners {
  private readonly byOwner = new Map<string, Set<WebSocket>>();

  // Remembers an open console socket of this owner until it closes.
  track(owner: string, ws: WebSocket): void {
    let set = this.byOwner.get(owner);
    if (set === undefined) this.byOwner.set(owner, (set = new Set()));
    set.add(ws);
    ws.once('close', () => {
      set.delete(ws);
      if (set.size === 0 && this.byOwner.get(owner) === set) this.byOwner.delete(owner);
    });
  }

  // Closes every console of this owner (4401, as the API socket closes) and returns how many.
  closeOwner(owner: string, reason: string): number {
    const set = this.byOwner.get(owner);
    if (set === undefined) return 0;
    this.byOwner.delete(owner);
    for (const ws of set) {
      if (ws.readyState === ws.OPEN) ws.close(CLOSE.UNAUTHORIZED, reason);
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    }
    return set.size;
  }

  // How many consoles this owner has open; for tests and diagnostics.
  countFor(owner: string): number {
    return this.byOwner.get(owner)?.size ?? 0;
  }
}
