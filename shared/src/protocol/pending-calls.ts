// Shared by the CLI's client and the web UI's connection: both correlate answers by id.
import type { OpenUtmError } from '../errors';

interface Pending {
  method: string;
  resolve: (result: unknown) => void;
  reject: (error: OpenUtmError) => void;
  timer: ReturnType<typeof setTimeout>;
}

// Requests sent and not yet answered, by id: each settles exactly once — by its answer, its
// timeout, or the connection closing.
export class PendingCalls {
  private nextId = 1;
  private readonly calls = new Map<number, Pending>();

  // Registers a call and returns its id; onTimeout builds the error if no answer comes in time.
  add(method: string, timeoutMs: number, onTimeout: () => OpenUtmError, resolve: Pending['resolve'], reject: Pending['reject']): number {
    const id = this.nextId++;
    const timer = setTimeout(() => this.take(id)?.reject(onTimeout()), timeoutMs);
    this.calls.set(id, { method, resolve, reject, timer });
    return id;
  }

  // Takes a call out of the table (null if it already settled or never existed).
  take(id: unknown): Pick<Pending, 'method' | 'resolve' | 'reject'> | null {
    if (typeof id !== 'number') return null;
    const call = this.calls.get(id);
    if (!call) return null;
    this.calls.delete(id);
    clearTimeout(call.timer);
    return call;
  }

  // Rejects every call still waiting, e.g. when the socket closed.
  rejectAll(error: (method: string) => OpenUtmError): void {
    for (const id of [...this.calls.keys()]) {
      const call = this.take(id);
      call?.reject(error(call.method));
    }
  }

  get size(): number {
    return this.calls.size;
  }
}
