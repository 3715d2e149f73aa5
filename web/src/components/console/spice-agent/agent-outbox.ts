import { chunkMessage } from './agent-protocol';

// Client-to-agent flow control: every SPICE_MSGC_MAIN_AGENT_DATA piece spends one token the
// server handed out; it hands more back as the agent reads. Pieces wait here until a token
// is there, so a 20 MiB transfer never floods the server (which would drop the connection).
// The pieces one flush can send go out together, so that the socket takes one frame for them
// rather than one each (a file's 64 KiB data message is 32 pieces). While more is queued than the
// tokens cover, the box waits for a batch's worth of tokens: the server hands them back 5 at a
// time, and a frame per 5 pieces cost a file copy a fifth of the page's CPU in frame sends
// (the browser's and the helper's time with it, which a 2-core host takes from the guest).
const MAX_BATCH = 64;

export class AgentOutbox {
  private tokens = 0;
  // Pieces a flush waits to send together while more are queued than the tokens cover: a
  // quarter of the window the server gave at the start, so a batch never waits for more tokens
  // than will ever be there.
  private batch = 1;
  private readonly queue: Uint8Array[] = [];
  private head = 0;
  private readonly drainWaiters: Array<() => void> = [];

  constructor(private readonly sendPieces: (pieces: Uint8Array[]) => void) {}

  // Pieces not yet sent.
  get pending(): number {
    return this.queue.length - this.head;
  }

  get available(): number {
    return this.tokens;
  }

  send(message: Uint8Array): void {
    for (const piece of chunkMessage(message)) this.queue.push(piece);
    this.flush();
  }

  addTokens(n: number): void {
    this.tokens += n;
    this.flush();
  }

  // The agent restarted: its tokens start over, and what was queued was for the old one.
  reset(tokens: number): void {
    this.tokens = tokens;
    this.batch = Math.max(1, Math.min(MAX_BATCH, Math.floor(tokens / 4)));
    this.queue.length = 0;
    this.head = 0;
    this.wake();
  }

  // Resolves once at most `below` pieces wait (a sender keeps a little queued, not a file).
  whenBelow(below: number): Promise<void> {
    if (this.pending <= below) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.pending <= below) resolve();
        else this.drainWaiters.push(check);
      };
      this.drainWaiters.push(check);
    });
  }

  private flush(): void {
    const waiting = this.queue.length - this.head;
    const n = Math.min(this.tokens, waiting);
    if (n > 0 && (n === waiting || n >= this.batch)) {
      this.tokens -= n;
      const from = this.head;
      this.head += n;
      this.sendPieces(this.queue.slice(from, this.head));
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 4096) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.wake();
  }

  private wake(): void {
    const waiters = this.drainWaiters.splice(0);
    for (const w of waiters) w();
  }
}
