import { OpenUtmError } from '@openutm/shared';
import type { QmpErrorBody } from './qmp-messages';

// How a reply matched the calls in flight: it answered one, it came after its call timed out,
// or nothing ever asked for it.
export type SettleResult = 'settled' | 'late' | 'unknown';

interface PendingCall {
  command: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

// Ids of calls that timed out are remembered so their late replies are dropped quietly; bounded
// so a QEMU that never answers cannot grow this set forever.
const MAX_ABANDONED_IDS = 1_024;

// Request tracking by id for one connection: numbers the calls, times each one out, matches
// replies to callers (QEMU echoes `id`), and fails whatever is left when the connection ends.
export class QmpRequests {
  private readonly pending = new Map<number, PendingCall>();
  private readonly abandoned = new Set<number>();
  private nextId = 1;

  // Registers a call; the caller sends it with this id. The answer rejects with QMP_TIMEOUT
  // after timeoutMs.
  start(command: string, timeoutMs: number): { id: number; answer: Promise<unknown> } {
    const id = this.nextId++;
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.rememberAbandoned(id);
        reject(
          new OpenUtmError('QMP_TIMEOUT', `QEMU did not answer "${command}" within ${timeoutMs} ms; it may be busy or hung`, {
            command,
            timeoutMs,
          }),
        );
      }, timeoutMs);
      this.pending.set(id, { command, resolve, reject, timer });
    });
    return { id, answer };
  }

  // Delivers a success (`value`) or error reply (`error`) to the call with this id.
  settle(id: unknown, outcome: { value: unknown } | { error: QmpErrorBody }): SettleResult {
    const call = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (typeof id !== 'number' || !call) return typeof id === 'number' && this.abandoned.delete(id) ? 'late' : 'unknown';
    this.pending.delete(id);
    clearTimeout(call.timer);
    if ('error' in outcome) call.reject(commandError(call.command, outcome.error));
    else call.resolve(outcome.value);
    return 'settled';
  }

  // Rejects every call still waiting, with the error the connection's end calls for.
  failAll(errorFor: (command: string) => Error): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    this.abandoned.clear();
    for (const call of calls) {
      clearTimeout(call.timer);
      call.reject(errorFor(call.command));
    }
  }

  get size(): number {
    return this.pending.size;
  }

  private rememberAbandoned(id: number): void {
    this.abandoned.add(id);
    if (this.abandoned.size > MAX_ABANDONED_IDS) {
      const oldest = this.abandoned.values().next();
      if (!oldest.done) this.abandoned.delete(oldest.value);
    }
  }
}

// QEMU's error reply as an OpenUtmError; `class` is kept for code that branches on it.
function commandError(command: string, error: QmpErrorBody): OpenUtmError {
  return new OpenUtmError('QMP_ERROR', `QEMU refused "${command}": ${error.desc} (${error.class})`, {
    class: error.class,
    desc: error.desc,
    command,
  });
}
