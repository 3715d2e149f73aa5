// The least a SPICE client can do to talk to the guest agent, for the agent bench's floors: it
// links a main channel straight to QEMU's SPICE socket (no browser, no helper), starts the agent
// and exchanges agent messages, spending the server's agent tokens as soon as they arrive. The
// agent messages themselves are the page's (agent-protocol.ts), so the floor differs from the
// page only in the transport and the code around them.
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { clientLink, CAP } from '../../../helper/src/console-bridge/testing/spice-bytes';
import {
  AgentMsg,
  chunkMessage,
  CLIENT_CAPS,
  decodeCapabilities,
  encodeAgentMessage,
  encodeCapabilities,
  type AgentMessage,
} from '../../src/components/console/spice-agent/agent-protocol';
import { AgentReassembler } from '../../src/components/console/spice-agent/agent-reassembler';
import { SPICE_CHANNEL, SPICE_MSG, SPICE_MSGC } from '@openutm/shared';

const LINK_HEADER_BYTES = 16;
const MINI_HEADER_BYTES = 6;

// A socket read as a byte stream: resolves exact byte counts, in order. Chunks are joined only
// once a whole read is there (a display channel's images run to megabytes).
class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private want: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(socket: Duplex) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.length += chunk.length;
      this.serve();
    });
    const fail = (e: Error) => {
      this.failure ??= e;
      this.want?.reject(e);
      this.want = null;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('QEMU closed the SPICE socket')));
  }

  read(n: number): Promise<Buffer> {
    if (this.failure && this.length < n) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.want = { n, resolve, reject };
      this.serve();
    });
  }

  private serve(): void {
    if (!this.want || this.length < this.want.n) return;
    const { n, resolve } = this.want;
    this.want = null;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.length -= n;
    resolve(all.subarray(0, n));
  }
}

export class SpiceAgentClient {
  private tokens = 0;
  private readonly queue: Uint8Array[] = [];
  private readonly reassembler = new AgentReassembler();
  private readonly listeners = new Set<(m: AgentMessage) => void>();
  private readonly acks = { window: 0, unacked: 0 };
  private sessionId: number | null = null;
  private readonly channels: net.Socket[] = [];
  private closed = false;
  // The guest agent's capabilities once it announced them.
  agentCaps: ReadonlySet<number> | null = null;

  private constructor(private readonly socket: Duplex) {}

  // Straight to QEMU's SPICE unix socket (ticketing off, as the helper runs it).
  static async connect(socketPath: string, timeoutMs = 60_000): Promise<SpiceAgentClient> {
    const socket = net.createConnection(socketPath);
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return SpiceAgentClient.link(socket, timeoutMs);
  }

  // Links a main channel and resolves once the agent has announced its capabilities.
  private static async link(socket: Duplex, timeoutMs: number): Promise<SpiceAgentClient> {
    const reader = await linkChannel(socket, SPICE_CHANNEL.MAIN, 0);
    const client = new SpiceAgentClient(socket);
    const announced = client.next((m) => m.type === AgentMsg.ANNOUNCE_CAPABILITIES, timeoutMs);
    void client.readMessages(reader);
    await announced;
    return client;
  }

  // Also links a display channel of this session on QEMU's socket and reads (and drops) what it
  // draws, as a page showing the screen makes QEMU and the guest do; resolves once QEMU has set
  // the channel up (closing a session while a channel is being set up crashes QEMU 7.2).
  async attachDisplay(socketPath: string): Promise<void> {
    // SpiceMsgcDisplayInit: no pixmap cache, no glz dictionary.
    await this.attachChannel(socketPath, SPICE_CHANNEL.DISPLAY, { type: SPICE_MSGC.DISPLAY_INIT, body: Buffer.alloc(14) });
  }

  // Also links the inputs and cursor channels, as a page with a keyboard and a pointer has.
  async attachInputs(socketPath: string): Promise<void> {
    await this.attachChannel(socketPath, SPICE_CHANNEL.INPUTS);
    await this.attachChannel(socketPath, SPICE_CHANNEL.CURSOR);
  }

  // Links one more channel of this session, answers what every channel must and drops the rest;
  // resolves at its first message from QEMU.
  private async attachChannel(socketPath: string, type: number, init?: { type: number; body: Buffer }): Promise<void> {
    if (this.sessionId === null) throw new Error('no SPICE session yet');
    const socket = net.createConnection(socketPath);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    this.channels.push(socket);
    const reader = await linkChannel(socket, type, this.sessionId);
    if (init) writeMessage(socket, init.type, init.body);
    const acks = { window: 0, unacked: 0 };
    await new Promise<void>((resolve, reject) => {
      let first = true;
      void (async () => {
        try {
          for (;;) {
            const head = await reader.read(MINI_HEADER_BYTES);
            const type = head.readUInt16LE(0);
            const body = await reader.read(head.readUInt32LE(2));
            commonMessage(socket, type, body, acks);
            if (first) {
              first = false;
              resolve();
            }
          }
        } catch (e) {
          if (first) reject(e instanceof Error ? e : new Error(String(e)));
        }
      })();
    });
  }

  // Resolves with the next agent message `match` accepts.
  next(match: (m: AgentMessage) => boolean, timeoutMs = 120_000): Promise<AgentMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no matching agent message within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (m: AgentMessage) => {
        if (!match(m)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(m);
      };
      this.listeners.add(listener);
    });
  }

  // Calls `handler` for every agent message until the returned function is called.
  onMessage(handler: (m: AgentMessage) => void): () => void {
    this.listeners.add(handler);
    return () => this.listeners.delete(handler);
  }

  // One agent message, cut into the server's 2 KiB pieces, each sent as soon as a token is there.
  send(type: number, body: Uint8Array): void {
    this.sendMessage(encodeAgentMessage(type, body));
  }

  // A whole agent message, header and all (the file copy's data, encoded as the page does).
  sendMessage(message: Uint8Array): void {
    for (const piece of chunkMessage(message)) this.queue.push(piece);
    this.flush();
  }

  // Pieces waiting for a token.
  get pending(): number {
    return this.queue.length;
  }

  // Resolves once no more than `below` pieces wait.
  async whenBelow(below: number): Promise<void> {
    while (this.queue.length > below && !this.closed) await new Promise<void>((r) => this.socket.once('agent-flushed', r));
  }

  // Main first (QEMU then tears the session down and closes the display channel itself).
  close(): void {
    this.closed = true;
    this.socket.end();
    this.socket.destroy();
    const channels = this.channels.splice(0);
    if (channels.length > 0) setTimeout(() => channels.forEach((c) => c.destroy()), 2000).unref();
  }

  private flush(): void {
    let n = 0;
    while (this.tokens > 0 && n < this.queue.length) {
      this.tokens--;
      this.writeMessage(SPICE_MSGC.MAIN_AGENT_DATA, this.queue[n++]!);
    }
    if (n > 0) {
      this.queue.splice(0, n);
      this.socket.emit('agent-flushed');
    }
  }

  private writeMessage(type: number, body: Uint8Array): void {
    writeMessage(this.socket, type, body);
  }

  private async readMessages(reader: ByteReader): Promise<void> {
    try {
      for (;;) {
        const head = await reader.read(MINI_HEADER_BYTES);
        const type = head.readUInt16LE(0);
        const body = Buffer.from(await reader.read(head.readUInt32LE(2)));
        if (!commonMessage(this.socket, type, body, this.acks)) this.handle(type, body);
      }
    } catch {
      this.closed = true;
    }
  }

  private handle(type: number, body: Buffer): void {
    switch (type) {
      case SPICE_MSG.MAIN_INIT:
        this.sessionId = body.readUInt32LE(0);
        // agent_connected, then agent_tokens (after session id, display hint, mouse modes).
        if (body.readUInt32LE(16) !== 0) this.startAgent(body.readUInt32LE(20));
        return;
      case SPICE_MSG.MAIN_AGENT_CONNECTED_TOKENS:
        this.startAgent(body.readUInt32LE(0));
        return;
      case SPICE_MSG.MAIN_AGENT_CONNECTED:
        this.startAgent(this.tokens);
        return;
      case SPICE_MSG.MAIN_AGENT_TOKEN:
        this.tokens += body.readUInt32LE(0);
        this.flush();
        return;
      case SPICE_MSG.MAIN_AGENT_DISCONNECTED:
        this.agentCaps = null;
        this.tokens = 0;
        return;
      case SPICE_MSG.MAIN_AGENT_DATA:
        for (const m of this.reassembler.push(new Uint8Array(body))) this.deliver(m);
        return;
      default:
        return;
    }
  }

  private startAgent(tokens: number): void {
    this.tokens = tokens;
    this.reassembler.reset();
    const start = Buffer.alloc(4);
    start.writeUInt32LE(0xffffffff, 0);
    this.writeMessage(SPICE_MSGC.MAIN_AGENT_START, start);
    this.send(AgentMsg.ANNOUNCE_CAPABILITIES, encodeCapabilities(true, CLIENT_CAPS));
  }

  private deliver(m: AgentMessage): void {
    if (m.type === AgentMsg.ANNOUNCE_CAPABILITIES) {
      const { request, caps } = decodeCapabilities(m.body);
      this.agentCaps = caps;
      if (request) this.send(AgentMsg.ANNOUNCE_CAPABILITIES, encodeCapabilities(false, CLIENT_CAPS));
    }
    for (const l of [...this.listeners]) l(m);
  }
}

// Links one channel (connection id 0 for a session's main channel, its session id for the
// others) and resolves once QEMU has logged it in; the reader then holds what follows.
async function linkChannel(socket: Duplex, type: number, connectionId: number): Promise<ByteReader> {
  const reader = new ByteReader(socket);
  const link = clientLink(type, CAP.authSpice | CAP.miniHeader);
  // A main channel with any other id than 0 would be a migration target, which QEMU never
  // sends its MAIN_INIT.
  link.writeUInt32LE(connectionId, LINK_HEADER_BYTES);
  socket.write(link);
  const header = await reader.read(LINK_HEADER_BYTES);
  if (header.toString('latin1', 0, 4) !== 'REDQ') throw new Error('not a SPICE server');
  const reply = await reader.read(header.readUInt32LE(12));
  if (reply.readUInt32LE(0) !== 0) throw new Error(`SPICE link refused (error ${reply.readUInt32LE(0)})`);
  const capsAt = reply.readUInt32LE(4 + 162 + 8);
  if ((reply.readUInt32LE(capsAt) & CAP.miniHeader) === 0) throw new Error('the SPICE server does not speak the mini header');
  // The ticket as spice-html5 sends it: the (empty) password, NUL-ended, in RSA-OAEP under
  // QEMU's key (QEMU runs without ticketing here, but still decrypts what it gets).
  const key = createPublicKey({ key: reply.subarray(4, 4 + 162), format: 'der', type: 'spki' });
  socket.write(publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING }, Buffer.from([0])));
  const result = (await reader.read(4)).readUInt32LE(0);
  if (result !== 0) throw new Error(`SPICE login refused (result ${result})`);
  return reader;
}

function writeMessage(socket: Duplex, type: number, body: Uint8Array): void {
  const head = Buffer.alloc(MINI_HEADER_BYTES);
  head.writeUInt16LE(type, 0);
  head.writeUInt32LE(body.length, 2);
  socket.write(Buffer.concat([head, body]));
}

// What every channel answers: SET_ACK, then an ACK per window of messages, and PING. Whether
// `type` was one of those.
function commonMessage(socket: Duplex, type: number, body: Buffer, acks: { window: number; unacked: number }): boolean {
  let handled = true;
  if (type === SPICE_MSG.SET_ACK) {
    acks.window = body.readUInt32LE(4);
    const sync = Buffer.alloc(4);
    sync.writeUInt32LE(body.readUInt32LE(0), 0);
    writeMessage(socket, SPICE_MSGC.ACK_SYNC, sync);
  } else if (type === SPICE_MSG.PING) writeMessage(socket, SPICE_MSGC.PONG, body.subarray(0, 12));
  else handled = false;
  if (acks.window > 0 && ++acks.unacked >= acks.window) {
    acks.unacked = 0;
    writeMessage(socket, SPICE_MSGC.ACK, new Uint8Array(0));
  }
  return handled;
}
