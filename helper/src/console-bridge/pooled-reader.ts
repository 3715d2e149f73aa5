import type net from 'node:net';

// Sizes of the display read path, each overridable.
export const READER_DEFAULTS = {
  // One read from the VM socket lands in a buffer this large (Node's own reads are 64 KiB and
  // freshly allocated each time). A unix socket holds ~200 KiB, so one read can take it all.
  bufferBytes: 256 * 1024,
  // Free buffers kept for reuse; more are allocated when the browser holds many, and dropped after.
  keepFree: 4,
  // Bytes read before anyone takes them (a VNC server greets at once) above which reading stops.
  maxEarlyBytes: 1024 * 1024,
} as const;

// Receives each chunk read; `release` (if any) gives its buffer back once the chunk has been
// handed to the kernel. Chunks without `release` are the receiver's to keep.
export type ChunkSink = (chunk: Buffer, release: (() => void) | null) => void;

// Sizes of one reader; defaults in READER_DEFAULTS.
export interface PooledReaderOptions {
  bufferBytes?: number;
  keepFree?: number;
  maxEarlyBytes?: number;
}

// Reads a socket into large reused buffers (net's `onread` option): fewer, larger chunks, no
// allocation and no fresh pages per read. A read that fills at least half a buffer is handed on
// as is and the buffer comes back through `release`; a smaller one is copied to its exact size,
// so a chunk never pins more than twice its bytes.
export class PooledReader {
  // Pass to net.createConnection({ …, onread }).
  readonly onread: net.OnReadOpts;
  private readonly bufferBytes: number;
  private readonly keepFree: number;
  private readonly maxEarlyBytes: number;
  private readonly free: Buffer[] = [];
  private current: Buffer;
  private sink: ChunkSink | null = null;
  private early: Buffer[] = [];
  private earlyBytes = 0;
  private lent = 0;

  constructor(opts: PooledReaderOptions = {}) {
    this.bufferBytes = opts.bufferBytes ?? READER_DEFAULTS.bufferBytes;
    this.keepFree = opts.keepFree ?? READER_DEFAULTS.keepFree;
    this.maxEarlyBytes = opts.maxEarlyBytes ?? READER_DEFAULTS.maxEarlyBytes;
    this.current = this.take();
    this.onread = { buffer: () => this.current, callback: (n) => this.onRead(n) };
  }

  // Starts delivering chunks, first those read before there was a sink.
  setSink(sink: ChunkSink): void {
    this.sink = sink;
    const early = this.early;
    this.early = [];
    this.earlyBytes = 0;
    for (const chunk of early) sink(chunk, null);
  }

  // Bytes of buffer memory this reader holds: its read buffer, the free ones, and those lent out.
  get heldBytes(): number {
    return (1 + this.free.length + this.lent) * this.bufferBytes + this.earlyBytes;
  }

  // Returns false to pause the socket (net's contract) while nobody takes the data.
  private onRead(n: number): boolean {
    const full = this.current;
    let chunk: Buffer;
    let release: (() => void) | null = null;
    if (n >= this.bufferBytes / 2) {
      chunk = full.subarray(0, n);
      this.current = this.take();
      this.lent += 1;
      let given = false;
      release = () => {
        if (given) return;
        given = true;
        this.lent -= 1;
        if (this.free.length < this.keepFree) this.free.push(full);
      };
    } else {
      chunk = Buffer.allocUnsafe(n);
      full.copy(chunk, 0, 0, n);
    }
    if (this.sink) {
      this.sink(chunk, release);
      return true;
    }
    const kept = release ? Buffer.from(chunk) : chunk;
    release?.();
    this.early.push(kept);
    this.earlyBytes += kept.length;
    return this.earlyBytes < this.maxEarlyBytes;
  }

  private take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes);
  }
}
