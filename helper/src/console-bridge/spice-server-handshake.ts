// What the bridge learns from the first bytes QEMU's SPICE server sends on one channel, all
// little-endian (spice-protocol's protocol.h):
//   SpiceLinkHeader  magic "REDQ", major, minor, size (16 bytes)
//   SpiceLinkReply   error u32, then the public key and capabilities (size bytes in all)
//   link result      u32, once the client's ticket was checked (0: logged in)
//   messages         from then on; the first one (SET_ACK, INPUTS_INIT …) says the server has set
//                    the channel up, in its display thread for display and cursor channels
// Sessions must not be torn down while a channel is between its ticket and that first message:
// libspice-server 0.15 then sets up a channel of a client it is destroying, and QEMU segfaults.

const MAGIC = 0x51444552; // "REDQ" read as a little-endian u32
const LINK_HEADER_BYTES = 16;
const RESULT_BYTES = 4;
// No real link reply comes near this; a server claiming more is not followed further.
const MAX_REPLY_BYTES = 4096;

// linking: waiting for the link reply; authenticating: for the link result; logged-in: for the
// first message. The rest are final: connected, refused (link or ticket), or not SPICE.
export type ServerHandshakeState = 'linking' | 'authenticating' | 'logged-in' | 'connected' | 'refused' | 'not-spice';

// Feed it every chunk the server sends on one channel, in order, while observe() answers true.
export class SpiceServerHandshake {
  state: ServerHandshakeState = 'linking';
  // Resolves once the state is final.
  readonly settled: Promise<void>;
  private settle!: () => void;
  // Bytes of the reply or result read so far (copied: the bridge's read buffers are reused).
  private head: Buffer = Buffer.alloc(0);

  constructor() {
    this.settled = new Promise<void>((resolve) => (this.settle = resolve));
  }

  get isSettled(): boolean {
    return this.state === 'connected' || this.state === 'refused' || this.state === 'not-spice';
  }

  // Returns false once the state is final.
  observe(chunk: Buffer): boolean {
    let rest = chunk;
    if (this.state === 'linking') rest = this.readReply(rest);
    if (this.state === 'authenticating') rest = this.readResult(rest);
    if (this.state === 'logged-in' && rest.length > 0) this.finish('connected');
    return !this.isSettled;
  }

  // Takes bytes into `head` up to `want` in all; returns what is left of `chunk`.
  private take(chunk: Buffer, want: number): Buffer {
    const n = Math.max(0, Math.min(want - this.head.length, chunk.length));
    if (n > 0) this.head = Buffer.concat([this.head, chunk.subarray(0, n)]);
    return chunk.subarray(n);
  }

  private readReply(chunk: Buffer): Buffer {
    let rest = this.take(chunk, LINK_HEADER_BYTES);
    if (this.head.length >= 4 && this.head.readUInt32LE(0) !== MAGIC) return this.finish('not-spice');
    if (this.head.length < LINK_HEADER_BYTES) return rest;
    const size = this.head.readUInt32LE(12);
    if (size < RESULT_BYTES || size > MAX_REPLY_BYTES) return this.finish('not-spice');
    rest = this.take(rest, LINK_HEADER_BYTES + size);
    if (this.head.length < LINK_HEADER_BYTES + size) return rest;
    const error = this.head.readUInt32LE(LINK_HEADER_BYTES);
    this.head = Buffer.alloc(0);
    if (error !== 0) return this.finish('refused');
    this.state = 'authenticating';
    return rest;
  }

  private readResult(chunk: Buffer): Buffer {
    const rest = this.take(chunk, RESULT_BYTES);
    if (this.head.length < RESULT_BYTES) return rest;
    const result = this.head.readUInt32LE(0);
    this.head = Buffer.alloc(0);
    if (result !== 0) return this.finish('refused');
    this.state = 'logged-in';
    return rest;
  }

  private finish(state: ServerHandshakeState): Buffer {
    this.state = state;
    this.head = Buffer.alloc(0);
    this.settle();
    return Buffer.alloc(0);
  }
}
