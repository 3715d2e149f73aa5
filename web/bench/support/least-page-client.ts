// Runs in the bench's browser, not in Node: the least SPICE client a page can be, for the file
// copy's in-browser floor. Any client in a page reaches QEMU the same way the console does (the
// browser's WebSocket, its network process, the helper's console bridge); this one does nothing
// else: no React, no spice-html5, a display channel whose pictures are read and dropped. It links
// the session's main, display, inputs and cursor channels through a console.open ticket, starts
// the agent and copies a file, spending each token the moment it arrives (one frame per flush).
// Bundled by esbuild (least-page-round.ts) and called as window.leastPageCopy(url, id, size).
import { SPICE_CHANNEL, SPICE_MSG, SPICE_MSGC } from '@openutm/shared';
import {
  AgentMsg,
  chunkMessage,
  CLIENT_CAPS,
  decodeCapabilities,
  decodeFileXferStatus,
  encodeAgentMessage,
  encodeCapabilities,
  encodeFileXferDataMessage,
  encodeFileXferStart,
  encodeMiniMessages,
  XferStatus,
  type AgentMessage,
} from '../../src/components/console/spice-agent/agent-protocol';
import { AgentReassembler } from '../../src/components/console/spice-agent/agent-reassembler';
import { fileBlocks, QUEUE_MARK, XFER_SLICE } from '../../src/components/console/spice-agent/file-transfer';

const CAPS = (1 << 1) | (1 << 3); // auth SPICE, mini header

// A channel's bytes, read in exact counts.
class Channel {
  private chunks: Uint8Array[] = [];
  private length = 0;
  private want: { n: number; resolve: (b: Uint8Array) => void } | null = null;
  private readonly acks = { window: 0, unacked: 0 };

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (e: MessageEvent<ArrayBuffer>) => {
      this.chunks.push(new Uint8Array(e.data));
      this.length += e.data.byteLength;
      this.serve();
    };
  }

  static async open(url: string, type: number, connectionId: number): Promise<Channel> {
    const ws = new WebSocket(url, 'binary');
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error(`the console socket did not open: ${url}`));
    });
    const ch = new Channel(ws);
    const link = new Uint8Array(16 + 22);
    const dv = new DataView(link.buffer);
    link.set([0x52, 0x45, 0x44, 0x51]); // REDQ
    dv.setUint32(4, 2, true);
    dv.setUint32(8, 2, true);
    dv.setUint32(12, 22, true);
    dv.setUint32(16, connectionId, true);
    dv.setUint8(20, type);
    dv.setUint32(22, 1, true); // common caps
    dv.setUint32(30, 18, true); // caps offset
    dv.setUint32(34, CAPS, true);
    ws.send(link);
    const header = await ch.read(16);
    const reply = await ch.read(u32(header, 12));
    if (u32(reply, 0) !== 0) throw new Error(`SPICE link refused (error ${u32(reply, 0)})`);
    // The (empty) password in RSA-OAEP under QEMU's key, as spice-html5 sends it.
    const key = await crypto.subtle.importKey('spki', reply.slice(4, 4 + 162), { name: 'RSA-OAEP', hash: 'SHA-1' }, false, ['encrypt']);
    ws.send(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, key, new Uint8Array([0])));
    const result = u32(await ch.read(4), 0);
    if (result !== 0) throw new Error(`SPICE login refused (result ${result})`);
    return ch;
  }

  read(n: number): Promise<Uint8Array> {
    return new Promise((resolve) => {
      this.want = { n, resolve };
      this.serve();
    });
  }

  // Mini-header messages, in one frame.
  send(messages: ReadonlyArray<{ type: number; payload: Uint8Array }>): void {
    this.ws.send(encodeMiniMessages(messages));
  }

  // Every message, the ones all channels answer (SET_ACK, PING, the ack window) answered here.
  async loop(handle: (type: number, payload: Uint8Array) => void): Promise<void> {
    for (;;) {
      const head = await this.read(6);
      const type = head[0]! | (head[1]! << 8);
      const body = await this.read(u32(head, 2));
      if (type === SPICE_MSG.SET_ACK) {
        this.acks.window = u32(body, 4);
        this.send([{ type: SPICE_MSGC.ACK_SYNC, payload: body.slice(0, 4) }]);
      } else if (type === SPICE_MSG.PING) this.send([{ type: SPICE_MSGC.PONG, payload: body.slice(0, 12) }]);
      else handle(type, body);
      if (this.acks.window > 0 && ++this.acks.unacked >= this.acks.window) {
        this.acks.unacked = 0;
        this.send([{ type: SPICE_MSGC.ACK, payload: new Uint8Array(0) }]);
      }
    }
  }

  private serve(): void {
    if (!this.want || this.length < this.want.n) return;
    const { n, resolve } = this.want;
    this.want = null;
    let all = this.chunks[0]!;
    if (this.chunks.length > 1) {
      all = new Uint8Array(this.length);
      let at = 0;
      for (const c of this.chunks) {
        all.set(c, at);
        at += c.length;
      }
    }
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.length -= n;
    resolve(all.subarray(0, n));
  }
}

function u32(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset + at, 4).getUint32(0, true);
}

// Copies `size` bytes as a file into the guest; resolves with the milliseconds from
// FILE_XFER_START until the guest says the file is written.
export async function leastPageCopy(url: string, id: number, size: number): Promise<number> {
  const main = await Channel.open(url, SPICE_CHANNEL.MAIN, 0);
  const others: Channel[] = [];
  let tokens = 0;
  let queue: Uint8Array[] = [];
  const drained: Array<() => void> = [];
  const listeners = new Set<(m: AgentMessage) => void>();
  const reassembler = new AgentReassembler();
  let session: (id: number) => void = () => undefined;
  const sessionId = new Promise<number>((r) => (session = r));
  let announced: () => void = () => undefined;
  const agentReady = new Promise<void>((r) => (announced = r));

  const flush = () => {
    const n = Math.min(tokens, queue.length);
    if (n === 0) return;
    tokens -= n;
    main.send(queue.slice(0, n).map((payload) => ({ type: SPICE_MSGC.MAIN_AGENT_DATA, payload })));
    queue = queue.slice(n);
    for (const w of drained.splice(0)) w();
  };
  const sendAgent = (message: Uint8Array) => {
    queue.push(...chunkMessage(message));
    flush();
  };
  const startAgent = (t: number) => {
    tokens = t;
    reassembler.reset();
    main.send([{ type: SPICE_MSGC.MAIN_AGENT_START, payload: new Uint8Array([0xff, 0xff, 0xff, 0xff]) }]);
    sendAgent(encodeAgentMessage(AgentMsg.ANNOUNCE_CAPABILITIES, encodeCapabilities(true, CLIENT_CAPS)));
  };
  void main.loop((type, body) => {
    if (type === SPICE_MSG.MAIN_INIT) {
      session(u32(body, 0));
      if (u32(body, 16) !== 0) startAgent(u32(body, 20));
    } else if (type === SPICE_MSG.MAIN_AGENT_CONNECTED_TOKENS) startAgent(u32(body, 0));
    else if (type === SPICE_MSG.MAIN_AGENT_TOKEN) {
      tokens += u32(body, 0);
      flush();
    } else if (type === SPICE_MSG.MAIN_AGENT_DATA) {
      for (const m of reassembler.push(body.slice())) {
        if (m.type === AgentMsg.ANNOUNCE_CAPABILITIES) {
          if (decodeCapabilities(m.body).request) sendAgent(encodeAgentMessage(AgentMsg.ANNOUNCE_CAPABILITIES, encodeCapabilities(false, CLIENT_CAPS)));
          announced();
        }
        for (const l of [...listeners]) l(m);
      }
    }
  });
  const status = (want: number) =>
    new Promise<void>((resolve, reject) => {
      const l = (m: AgentMessage) => {
        if (m.type !== AgentMsg.FILE_XFER_STATUS || decodeFileXferStatus(m.body).id !== id) return;
        listeners.delete(l);
        const { result } = decodeFileXferStatus(m.body);
        if (result === want) resolve();
        else reject(new Error(`the guest agent answered the file with status ${result}, not ${want}`));
      };
      listeners.add(l);
    });

  try {
    // The screen, keyboard and pointer a page has: the display's pictures are read and dropped.
    const connection = await sessionId;
    const display = await Channel.open(url, SPICE_CHANNEL.DISPLAY, connection);
    display.send([{ type: SPICE_MSGC.DISPLAY_INIT, payload: new Uint8Array(14) }]);
    others.push(display, await Channel.open(url, SPICE_CHANNEL.INPUTS, connection), await Channel.open(url, SPICE_CHANNEL.CURSOR, connection));
    for (const c of others) void c.loop(() => undefined);
    await agentReady;

    // A file as the bench drops one on the page, read as the page reads it (fileBlocks).
    const bytes = new Uint8Array(size);
    crypto.getRandomValues(bytes.subarray(0, Math.min(size, 65536)));
    for (let at = 65536; at < size; at *= 2) bytes.copyWithin(at, 0, Math.min(at, size - at));
    const file = new File([bytes], `least-page-${id}.bin`);
    const t0 = performance.now();
    const canSend = status(XferStatus.CAN_SEND_DATA);
    sendAgent(encodeAgentMessage(AgentMsg.FILE_XFER_START, encodeFileXferStart(id, file.name, size)));
    await canSend;
    const done = status(XferStatus.SUCCESS);
    done.catch(() => undefined); // awaited below
    for await (const block of fileBlocks(file, size)) {
      for (let at = 0; at < block.length; at += XFER_SLICE) {
        while (queue.length > QUEUE_MARK) await new Promise<void>((r) => drained.push(r));
        sendAgent(encodeFileXferDataMessage(id, block.subarray(at, Math.min(at + XFER_SLICE, block.length))));
      }
    }
    await done;
    return performance.now() - t0;
  } finally {
    // Main first: QEMU then ends the session and closes the others itself.
    main.ws.close();
    setTimeout(() => others.forEach((c) => c.ws.close()), 2000);
  }
}
