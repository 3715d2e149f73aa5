// The SPICE agent's flow control, held in the helper for the browser. QEMU's SPICE server hands
// a client 10 agent tokens (one per 2 KiB piece of agent data) and gives them back as the guest
// reads, 5 at a time. A client in the page then waits a whole round trip through the browser's
// network process and this bridge for each 20 KiB, and under load that round trip, not the
// guest, set the pace of a file copy (0.5–2 MiB/s, where a client next to QEMU reached 5–6).
// So the bridge of a main channel gives the page EXTRA_TOKENS more than QEMU did, keeps the
// page's agent pieces beyond QEMU's tokens here, and sends them on as QEMU's tokens come back,
// which it passes on to the page. What the page may have outstanding is then QEMU's window plus
// EXTRA_TOKENS pieces, of which at most EXTRA_TOKENS wait here (~1 MiB, views of the page's
// frames). That is ~140 ms of a copy at the guest's 7 MiB/s: on 2 cores, where the emulated guest
// takes one, the browser and this helper are often not scheduled for tens of milliseconds, and
// QEMU should not run dry meanwhile.
// QEMU's tokens come back 5 at a time, each in a message of its own: ~2,100 per 20 MiB, and each
// one a frame the browser's network process hands to the page and the page parses, CPU a 2-core
// host takes from the guest. While pieces wait here those messages are kept back and the page
// gets their tokens in one message once TOKEN_BATCH are owed (or nothing waits any more).
//
// Wire (spice-protocol's protocol.h and enums.h, little-endian): the client's SpiceLinkHeader
// (16 bytes: magic, major, minor, size) and SpiceLinkMess (connection_id u32, channel_type u8,
// channel_id u8, num_common_caps u32, num_channel_caps u32, caps_offset u32, caps), its auth
// ([mechanism u32 with auth selection] + 128-byte ticket); the server's SpiceLinkHeader + reply
// and its u32 link result. Then mini-header messages (type u16, size u32, body) both ways.
// Anything else (another channel, full headers, a field split across two reads) leaves the
// stream untouched and the window off: the page then keeps to QEMU's own tokens.

import { SPICE_MSG, SPICE_MSGC } from '@openutm/shared';

export const EXTRA_TOKENS = 500;
// The page waits for at most 64 tokens and at most a quarter of its window (agent-outbox.ts), so
// of the EXTRA_TOKENS + QEMU's tokens it was given, keeping back fewer than TOKEN_BATCH here
// (and QEMU fewer than 5 of its own) never leaves it waiting for tokens that will not come.
export const TOKEN_BATCH = 64;

const LINK_HEADER_BYTES = 16;
const TICKET_BYTES = 128;
const MINI_HEADER_BYTES = 6;
const MAIN_CHANNEL = 1;
const CAP_AUTH_SELECTION = 1 << 0;
const CAP_MINI_HEADER = 1 << 3;
// agent_tokens in SpiceMsgMainInit: after session_id, display_channels_hint,
// supported_mouse_modes, current_mouse_mode, agent_connected.
const INIT_TOKENS_AT = 20;
// No real link message comes near this; a stream claiming more is not followed.
const MAX_LINK_BYTES = 4096;

// Cuts a byte stream into units of known size (link header, link, auth, message header, body):
// a unit inside one chunk is a view of it, one spread over chunks a copy.
class MessageCutter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  // Whether no unit is partly gathered (the next byte starts one).
  get empty(): boolean {
    return this.pendingBytes === 0;
  }

  // Gathers `n` bytes from `chunk` at `at`; returns the new offset and the whole bytes once all
  // `n` are there (null before).
  take(chunk: Buffer, at: number, n: number): { at: number; whole: Buffer | null } {
    const need = n - this.pendingBytes;
    const avail = chunk.length - at;
    if (avail >= need && this.pendingBytes === 0) return { at: at + need, whole: chunk.subarray(at, at + need) };
    const part = Buffer.from(chunk.subarray(at, at + Math.min(need, avail)));
    this.pending.push(part);
    this.pendingBytes += part.length;
    if (this.pendingBytes < n) return { at: chunk.length, whole: null };
    const whole = Buffer.concat(this.pending, n);
    this.pending = [];
    this.pendingBytes = 0;
    return { at: at + part.length, whole };
  }
}

type ClientPhase = 'link-header' | 'link' | 'auth' | 'header' | 'body' | 'off';
type ServerPhase = 'link-header' | 'link' | 'result' | 'header' | 'body' | 'off';

export class SpiceAgentWindow {
  // Whether the page was given the extra tokens (only then is anything held here).
  private active = false;
  private qemuTokens = 0;
  private readonly held: Buffer[] = [];
  private client: ClientPhase = 'link-header';
  private readonly clientCut = new MessageCutter();
  private clientNeed = LINK_HEADER_BYTES;
  private clientAgentHeader: Buffer | null = null;
  private server: ServerPhase = 'link-header';
  private readonly serverCut = new MessageCutter();
  private serverNeed = LINK_HEADER_BYTES;
  private serverType = 0;
  // A channel whose messages the client acknowledges by count: none may then be kept back.
  private acked = false;
  // Tokens QEMU returned that the page has not been given yet.
  private owed = 0;
  // What the chunk being read held: the tokens of its token messages, and whether anything else.
  private chunkTokens = 0;
  private chunkOther = false;

  constructor(
    private readonly writeToVm: (bytes: Buffer) => void,
    // Bytes for the page made here (a token message standing for several of QEMU's).
    private readonly writeToPage: (bytes: Buffer) => void,
  ) {}

  // Agent pieces held for QEMU's tokens.
  get heldPieces(): number {
    return this.held.length;
  }

  // Bytes from the page: what to write to QEMU now, in order (agent pieces beyond QEMU's tokens
  // stay here until its tokens come back).
  fromClient(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.client === 'off') {
        out.push(at === 0 ? chunk : chunk.subarray(at));
        break;
      }
      // The link and auth pass as they come (what is not SPICE is then never held up); messages
      // pass once whole (agent data) or once their header is (the others).
      const linking = this.client === 'link-header' || this.client === 'link' || this.client === 'auth';
      const { at: next, whole } = this.clientCut.take(chunk, at, this.clientNeed);
      if (linking) out.push(chunk.subarray(at, next));
      at = next;
      if (whole) this.clientStep(whole, out);
    }
    return out;
  }

  // Bytes from QEMU, on their way to the page: the agent's token counts are raised in place, and
  // QEMU's returned tokens send on what waits here. Returns whether to pass the chunk on: one
  // made only of token messages is kept back while pieces wait here.
  fromVm(chunk: Buffer): boolean {
    const atBoundary = this.server === 'header' && this.serverCut.empty;
    this.chunkTokens = 0;
    this.chunkOther = false;
    let at = 0;
    while (at < chunk.length && this.server !== 'off') {
      const start = at;
      const { at: next, whole } = this.serverCut.take(chunk, at, this.serverNeed);
      at = next;
      // Whether `whole` is `chunk` itself (so a field in it can be rewritten for the page).
      const inPlace = whole !== null && whole.buffer === chunk.buffer && whole.byteOffset === chunk.byteOffset + start;
      if (whole) this.serverStep(whole, inPlace);
    }
    const onlyTokens = atBoundary && this.server === 'header' && this.serverCut.empty && !this.chunkOther && this.chunkTokens > 0;
    if (!onlyTokens || !this.active || this.acked) return true;
    this.owed += this.chunkTokens;
    if (this.owed >= TOKEN_BATCH || this.held.length === 0) this.payOwed();
    return false;
  }

  // Tokens returned by QEMU and not yet given to the page: given now, in one message.
  private payOwed(): void {
    if (this.owed === 0) return;
    const message = Buffer.alloc(MINI_HEADER_BYTES + 4);
    message.writeUInt16LE(SPICE_MSG.MAIN_AGENT_TOKEN, 0);
    message.writeUInt32LE(4, 2);
    message.writeUInt32LE(this.owed, MINI_HEADER_BYTES);
    this.owed = 0;
    this.writeToPage(message);
  }

  // One whole unit of the page's stream, read; messages passed on (agent data maybe held).
  private clientStep(whole: Buffer, out: Buffer[]): void {
    switch (this.client) {
      case 'link-header': {
        const size = whole.readUInt32LE(12);
        if (whole.toString('latin1', 0, 4) !== 'REDQ' || size < 18 || size > MAX_LINK_BYTES) return this.clientOff();
        this.client = 'link';
        this.clientNeed = size;
        return;
      }
      case 'link': {
        const capsAt = whole.readUInt32LE(14);
        const caps = whole.readUInt32LE(6) > 0 && capsAt + 4 <= whole.length ? whole.readUInt32LE(capsAt) : 0;
        if (whole[4] !== MAIN_CHANNEL || (caps & CAP_MINI_HEADER) === 0) return this.clientOff();
        this.client = 'auth';
        this.clientNeed = TICKET_BYTES + (caps & CAP_AUTH_SELECTION ? 4 : 0);
        return;
      }
      case 'auth':
        return this.nextClientHeader();
      case 'header': {
        const type = whole.readUInt16LE(0);
        const size = whole.readUInt32LE(2);
        const agent = type === SPICE_MSGC.MAIN_AGENT_DATA;
        // Agent data is gathered whole. The page's frames are the socket's fresh reads, which
        // nothing reuses: what waits here is views of them, not copies.
        this.clientAgentHeader = agent ? whole : null;
        if (!agent) out.push(whole);
        if (size === 0) {
          if (agent) this.agentPiece(this.clientAgentHeader!, out);
          return this.nextClientHeader();
        }
        this.client = 'body';
        this.clientNeed = size;
        return;
      }
      case 'body':
        if (this.clientAgentHeader) this.agentPiece(joined(this.clientAgentHeader, whole), out);
        else out.push(whole);
        return this.nextClientHeader();
    }
  }

  private nextClientHeader(): void {
    this.client = 'header';
    this.clientNeed = MINI_HEADER_BYTES;
    this.clientAgentHeader = null;
  }

  // One whole agent data message from the page: on to QEMU if it has a token for it, else held.
  private agentPiece(message: Buffer, out: Buffer[]): void {
    // A page that sends past the tokens it was given gets no more room here than it was given:
    // the surplus goes straight on, and QEMU deals with it as with any client that overruns.
    if (!this.active || this.held.length >= EXTRA_TOKENS) return void out.push(message);
    if (this.qemuTokens > 0 && this.held.length === 0) {
      this.qemuTokens--;
      out.push(message);
    } else this.held.push(message);
  }

  private clientOff(): void {
    this.client = 'off';
  }

  private serverStep(whole: Buffer, inPlace: boolean): void {
    switch (this.server) {
      case 'link-header': {
        const size = whole.readUInt32LE(12);
        if (whole.toString('latin1', 0, 4) !== 'REDQ' || size < 4 || size > MAX_LINK_BYTES) return this.serverOff();
        this.server = 'link';
        this.serverNeed = size;
        return;
      }
      case 'link':
        if (whole.readUInt32LE(0) !== 0) return this.serverOff();
        this.server = 'result';
        this.serverNeed = 4;
        return;
      case 'result':
        // The window follows the client's stream: a channel that is not main, or full headers.
        if (whole.readUInt32LE(0) !== 0 || this.client === 'off') return this.serverOff();
        this.server = 'header';
        this.serverNeed = MINI_HEADER_BYTES;
        return;
      case 'header':
        this.serverType = whole.readUInt16LE(0);
        this.serverNeed = whole.readUInt32LE(2);
        this.server = 'body';
        if (this.serverNeed === 0) this.serverMessage(Buffer.alloc(0), false);
        return;
      case 'body':
        this.serverMessage(whole, inPlace);
        return;
    }
  }

  private serverMessage(body: Buffer, inPlace: boolean): void {
    this.server = 'header';
    this.serverNeed = MINI_HEADER_BYTES;
    if (this.serverType !== SPICE_MSG.MAIN_AGENT_TOKEN) this.chunkOther = true;
    switch (this.serverType) {
      case SPICE_MSG.SET_ACK:
        this.acked = true;
        this.payOwed();
        return;
      case SPICE_MSG.MAIN_INIT:
        if (inPlace && body.length >= INIT_TOKENS_AT + 4) this.grant(body, INIT_TOKENS_AT);
        return;
      case SPICE_MSG.MAIN_AGENT_CONNECTED_TOKENS:
        // The agent (re)started with a fresh window: what waits here was for the one before.
        this.held.length = 0;
        this.owed = 0;
        if (inPlace && body.length >= 4) this.grant(body, 0);
        else this.active = false;
        return;
      case SPICE_MSG.MAIN_AGENT_DISCONNECTED:
        this.held.length = 0;
        this.qemuTokens = 0;
        this.owed = 0;
        return;
      case SPICE_MSG.MAIN_AGENT_TOKEN:
        // Not a count to add up: the chunk goes on as it came.
        if (body.length < 4) return void (this.chunkOther = true);
        this.chunkTokens += body.readUInt32LE(0);
        this.release(body.readUInt32LE(0));
        return;
    }
  }

  // QEMU's token count at `at` in `body` (the page's bytes, about to be sent): noted, then raised.
  private grant(body: Buffer, at: number): void {
    this.qemuTokens = body.readUInt32LE(at);
    body.writeUInt32LE(this.qemuTokens + EXTRA_TOKENS, at);
    this.active = true;
  }

  private release(tokens: number): void {
    if (!this.active) return;
    this.qemuTokens += tokens;
    let n = 0;
    while (this.qemuTokens > 0 && n < this.held.length) {
      this.qemuTokens--;
      n++;
    }
    if (n === 0) return;
    const ready = this.held.splice(0, n);
    this.writeToVm(ready.length === 1 ? ready[0]! : Buffer.concat(ready));
  }

  private serverOff(): void {
    this.server = 'off';
    this.active = false;
  }
}

// A message's header and body as one buffer: a view when they lie side by side (the usual case,
// a whole message in one frame), a copy when a frame boundary split them.
function joined(head: Buffer, body: Buffer): Buffer {
  if (head.buffer === body.buffer && head.byteOffset + head.length === body.byteOffset) {
    return Buffer.from(head.buffer, head.byteOffset, head.length + body.length);
  }
  return Buffer.concat([head, body]);
}
