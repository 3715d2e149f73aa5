import type net from 'node:net';
import { MAX_FRAME_HEADER } from './ws-binary-frame';

// Sizes of the display read path, each overridable.
export const READER_DEFAULTS = {
  // One read from the VM socket lands in a buffer this large (Node's own reads are 64 KiB and
  // freshly allocated each time). A unix socket holds ~200 KiB, so one read can take it all.
  bufferBytes: 256 * 1024,
  // Free buffers kept for reuse; more are allocated when the browser holds many, and dropped after.
  keepFree: 4,
  // Bytes read before anyone takes them (a VNC server greets at once) above which reading stops.
  maxEarlyBytes: 1024 * 1024,
  // Spare bytes kept in front of every chunk, so the bridge can put a WebSocket frame header
  // there and send header and payload as one buffer.
  headroom: MAX_FRAME_HEADER,
} as const;

// Receives each chunk read; `release` (if any) gives its buffer back once the chunk has been
// handed to the kernel. Chunks without `release` are the receiver's to keep. The reader's
// `headroom` bytes just before each chunk in its ArrayBuffer belong to the chunk too.
export type ChunkSink = (chunk: Buffer, release: (() => void) | null) => void;

// Sizes of one reader; defaults in READER_DEFAULTS.
export interface PooledReaderOptions {
  bufferBytes?: number;
  keepFree?: number;
  maxEarlyBytes?: number;
  headroom?: number;
}

// Reads a socket into large reused buffers (net's `onread` option): fewer, larger chunks, no
// allocation and no fresh pages per read. A read that fills at least half a buffer is handed on
// as is and the buffer comes back through `release`; a smaller one is copied to its exact size,
// so a chunk never pins more than twice its bytes.
export class PooledReader {
  // Pass to net.createConnection({ …, onread }).
  readonly onread: net.OnReadOpts;
  // Spare bytes in front of every chunk delivered (see READER_DEFAULTS.headroom).
  readonly headroom: number;
  private readonly bufferBytes: number;
  private readonly keepFree: number;
  private readonly maxEarlyBytes: number;
  private readonly free: Buffer[] = [];
  private current: Buffer;
  // The part of `current` that reads land in.
  private readInto: Buffer;
  private sink: ChunkSink | null = null;
  private early: Buffer[] = [];
  private earlyBytes = 0;
  private lent = 0;

  constructor(opts: PooledReaderOptions = {}) {
    this.bufferBytes = opts.bufferBytes ?? READER_DEFAULTS.bufferBytes;
    this.keepFree = opts.keepFree ?? READER_DEFAULTS.keepFree;
    this.maxEarlyBytes = opts.maxEarlyBytes ?? READER_DEFAULTS.maxEarlyBytes;
    this.headroom = opts.headroom ?? READER_DEFAULTS.headroom;
    this.current = this.take();
    this.readInto = this.current.subarray(this.headroom);
    // net asks for the buffer again after every read.
    this.onread = { buffer: () => this.readInto, callback: (n) => this.onRead(n) };
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
    return (1 + this.free.length + this.lent) * (this.headroom + this.bufferBytes) + this.earlyBytes;
  }

  // Returns false to pause the socket (net's contract) while nobody takes the data.
  private onRead(n: number): boolean {
    const full = this.current;
    let chunk: Buffer;
    let release: (() => void) | null = null;
    if (n >= this.bufferBytes / 2) {
      chunk = full.subarray(this.headroom, this.headroom + n);
      this.current = this.take();
      this.readInto = this.current.subarray(this.headroom);
      this.lent += 1;
      let given = false;
      release = () => {
        if (given) return;
        given = true;
        this.lent -= 1;
        if (this.free.length < this.keepFree) this.free.push(full);
      };
    } else {
      chunk = this.copyOut(full, this.headroom, this.headroom + n);
    }
    if (this.sink) {
      this.sink(chunk, release);
      return true;
    }
    const kept = release ? this.copyOut(chunk, 0, chunk.length) : chunk;
    release?.();
    this.early.push(kept);
    this.earlyBytes += kept.length;
    return this.earlyBytes < this.maxEarlyBytes;
  }

  // A copy of its own, with the headroom in front (small ones come from Node's shared pool).
  private copyOut(from: Buffer, start: number, end: number): Buffer {
    const whole = Buffer.allocUnsafe(this.headroom + end - start);
    from.copy(whole, this.headroom, start, end);
    return whole.subarray(this.headroom);
  }

  private take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.headroom + this.bufferBytes);
  }
}
