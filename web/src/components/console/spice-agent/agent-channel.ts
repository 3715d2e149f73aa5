import type { SpiceMainConn } from '@spice-project/spice-html5/src/main.js';
import { AgentOutbox } from './agent-outbox';
import {
  AgentCap,
  AgentMsg,
  AgentProtocolError,
  CLIENT_CAPS,
  decodeCapabilities,
  decodeClipboard,
  decodeClipboardGrab,
  decodeClipboardRelease,
  decodeClipboardRequest,
  decodeFileXferStatus,
  encodeAgentMessage,
  encodeCapabilities,
  encodeClipboard,
  encodeClipboardGrab,
  encodeClipboardRequest,
  encodeMiniMessages,
  encodeMonitorsConfig,
  type AgentMessage,
} from './agent-protocol';
import { AgentReassembler } from './agent-reassembler';
import { ClipboardSync, type ClipboardAction, type HostClipboardItem } from './clipboard-sync';
import { FileTransfers, type TransferSource, type TransferView } from './file-transfer';
import { SPICE_MSG, SPICE_MSGC } from '@openutm/shared';

const FRAME_PIECES = 64; // agent pieces per WebSocket frame at the most

// 'absent': no agent port open in the guest; 'starting': the port opened, its capabilities not
// heard yet; 'ready': the agent said what it can do.
export type AgentPhase = 'absent' | 'starting' | 'ready';

export interface AgentStatus {
  phase: AgentPhase;
  clipboard: boolean;
  resize: boolean;
  files: boolean;
}

export interface AgentEvents {
  onStatus(status: AgentStatus): void;
  // Guest clipboard content for the page's clipboard.
  onGuestClipboard(item: HostClipboardItem): void;
  onTransfers(views: TransferView[]): void;
  // The agent spoke nonsense; the console keeps going without it.
  onProtocolError(message: string): void;
}

interface MainMessage {
  type: number;
  data?: ArrayBuffer;
}

type MainWithHooks = SpiceMainConn & {
  process_channel_message(msg: MainMessage): boolean;
  connect_agent(): void;
  agent_tokens?: number;
};

// The page's side of the SPICE agent, in place of spice-html5's partial one (no clipboard, no
// reassembly of the agent's messages, a file transfer drawn into a fixed element). It takes the
// agent's main-channel messages before spice-html5 sees them; everything else goes on to it.
export class SpiceAgentChannel {
  private readonly reassembler = new AgentReassembler();
  private readonly outbox: AgentOutbox;
  private readonly clipboard = new ClipboardSync();
  readonly transfers: FileTransfers;
  private caps: ReadonlySet<number> = new Set();
  private phase: AgentPhase = 'absent';
  private closed = false;

  constructor(
    private readonly sc: SpiceMainConn,
    private readonly events: AgentEvents,
  ) {
    this.outbox = new AgentOutbox((pieces) => this.sendPieces(pieces));
    this.transfers = new FileTransfers((message) => this.sendMessage(message), this.outbox, (v) => events.onTransfers(v));
    const main = sc as MainWithHooks;
    const process = main.process_channel_message.bind(sc);
    main.process_channel_message = (msg: MainMessage) => this.process(msg) || process(msg);
    // At SPICE_MSG_MAIN_INIT spice-html5 has read the agent's tokens, then calls this if an
    // agent is there.
    main.connect_agent = () => this.start(main.agent_tokens ?? 0);
  }

  get status(): AgentStatus {
    const ready = this.phase === 'ready';
    return {
      phase: this.phase,
      clipboard: ready && this.caps.has(AgentCap.CLIPBOARD_BY_DEMAND),
      resize: ready && this.caps.has(AgentCap.MONITORS_CONFIG),
      files: ready && !this.caps.has(AgentCap.FILE_XFER_DISABLED),
    };
  }

  // The page's clipboard content: offered to the guest (unless it is what the guest already has).
  offerHostClipboard(item: HostClipboardItem, force = false): boolean {
    if (!this.status.clipboard) return false;
    this.apply(this.clipboard.hostClipboard(item, force));
    return true;
  }

  // Asks the guest for one monitor of this size (device pixels).
  resize(width: number, height: number): boolean {
    if (!this.status.resize) return false;
    this.send(AgentMsg.MONITORS_CONFIG, encodeMonitorsConfig([{ width, height, depth: 32, x: 0, y: 0 }]));
    return true;
  }

  sendFiles(files: readonly TransferSource[]): number[] {
    if (!this.status.files) return [];
    return this.transfers.add(files);
  }

  close(): void {
    this.closed = true;
    this.outbox.reset(0);
  }

  private process(msg: MainMessage): boolean {
    if (this.closed) return false;
    switch (msg.type) {
      case SPICE_MSG.MAIN_AGENT_CONNECTED:
        this.start(this.outbox.available);
        return true;
      case SPICE_MSG.MAIN_AGENT_CONNECTED_TOKENS:
        this.start(u32(msg.data));
        return true;
      case SPICE_MSG.MAIN_AGENT_TOKEN:
        this.outbox.addTokens(u32(msg.data));
        return true;
      case SPICE_MSG.MAIN_AGENT_DISCONNECTED:
        this.stop();
        return true;
      case SPICE_MSG.MAIN_AGENT_DATA:
        this.receive(msg.data);
        return true;
      default:
        return false;
    }
  }

  private start(tokens: number): void {
    this.reassembler.reset();
    this.clipboard.reset();
    this.outbox.reset(tokens);
    this.caps = new Set();
    this.phase = 'starting';
    // The server may send the agent's data without limit: the page reads it as it comes.
    const start = new Uint8Array(4);
    new DataView(start.buffer).setUint32(0, 0xffffffff, true);
    this.sendMainOne(SPICE_MSGC.MAIN_AGENT_START, start);
    this.send(AgentMsg.ANNOUNCE_CAPABILITIES, encodeCapabilities(true, CLIENT_CAPS));
    this.emitStatus();
  }

  private stop(): void {
    this.phase = 'absent';
    this.caps = new Set();
    this.reassembler.reset();
    this.clipboard.reset();
    this.outbox.reset(0);
    this.transfers.agentGone();
    this.emitStatus();
  }

  private receive(data: ArrayBuffer | undefined): void {
    if (!data) return;
    let messages: AgentMessage[];
    try {
      messages = this.reassembler.push(new Uint8Array(data));
    } catch (e) {
      this.reassembler.reset();
      this.events.onProtocolError(e instanceof Error ? e.message : String(e));
      return;
    }
    for (const m of messages) {
      try {
        this.handle(m);
      } catch (e) {
        if (!(e instanceof AgentProtocolError)) throw e;
        this.events.onProtocolError(e.message);
      }
    }
  }

  private handle({ type, body }: AgentMessage): void {
    const sel = this.selectionOnWire();
    switch (type) {
      case AgentMsg.ANNOUNCE_CAPABILITIES: {
        const { request, caps } = decodeCapabilities(body);
        this.caps = caps;
        this.clipboard.guestCapabilities(caps);
        this.phase = 'ready';
        if (request) this.send(AgentMsg.ANNOUNCE_CAPABILITIES, encodeCapabilities(false, CLIENT_CAPS));
        this.emitStatus();
        return;
      }
      case AgentMsg.CLIPBOARD_GRAB: {
        const g = decodeClipboardGrab(body, sel);
        this.apply(this.clipboard.guestGrab(g.selection, g.types));
        return;
      }
      case AgentMsg.CLIPBOARD_REQUEST: {
        const r = decodeClipboardRequest(body, sel);
        this.apply(this.clipboard.guestRequest(r.selection, r.type));
        return;
      }
      case AgentMsg.CLIPBOARD: {
        const c = decodeClipboard(body, sel);
        this.apply(this.clipboard.guestData(c.selection, c.type, c.data));
        return;
      }
      case AgentMsg.CLIPBOARD_RELEASE:
        this.apply(this.clipboard.guestRelease(decodeClipboardRelease(body, sel).selection));
        return;
      case AgentMsg.FILE_XFER_STATUS: {
        const s = decodeFileXferStatus(body);
        this.transfers.status(s.id, s.result, s.detail);
        return;
      }
      default:
        // REPLY (to a monitors config) and the rest need nothing from the page.
        return;
    }
  }

  private selectionOnWire(): boolean {
    return this.caps.has(AgentCap.CLIPBOARD_SELECTION) && CLIENT_CAPS.includes(AgentCap.CLIPBOARD_SELECTION);
  }

  private apply(actions: ClipboardAction[]): void {
    const sel = this.selectionOnWire();
    for (const a of actions) {
      switch (a.kind) {
        case 'grab':
          this.send(AgentMsg.CLIPBOARD_GRAB, encodeClipboardGrab(sel ? a.selection : null, a.types));
          break;
        case 'request':
          this.send(AgentMsg.CLIPBOARD_REQUEST, encodeClipboardRequest(sel ? a.selection : null, a.type));
          break;
        case 'data':
          this.send(AgentMsg.CLIPBOARD, encodeClipboard(sel ? a.selection : null, a.type, a.data));
          break;
        case 'writeHost':
          this.events.onGuestClipboard(a.item);
          break;
      }
    }
  }

  private emitStatus(): void {
    this.events.onStatus(this.status);
  }

  private send(type: number, body: Uint8Array): void {
    this.sendMessage(encodeAgentMessage(type, body));
  }

  private sendMessage(message: Uint8Array): void {
    if (this.closed || this.phase === 'absent') return;
    this.outbox.send(message);
  }

  // Agent pieces, each its own AGENT_DATA message, a frame per FRAME_PIECES (the helper takes
  // frames of up to 1 MiB).
  private sendPieces(pieces: Uint8Array[]): void {
    for (let at = 0; at < pieces.length; at += FRAME_PIECES) {
      this.sendMain(pieces.slice(at, at + FRAME_PIECES).map((p) => ({ type: SPICE_MSGC.MAIN_AGENT_DATA, payload: p })));
    }
  }

  private sendMainOne(type: number, payload: Uint8Array): void {
    this.sendMain([{ type, payload }]);
  }

  // Mini-header messages on the main channel's socket (type u16, size u32, payload each), in one
  // frame, written here in one copy; spice-html5's send_msg copies byte by byte.
  private sendMain(messages: ReadonlyArray<{ type: number; payload: Uint8Array }>): void {
    const ws = this.sc.ws;
    if (this.closed || !ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(encodeMiniMessages(messages).buffer);
  }
}

function u32(data: ArrayBuffer | undefined): number {
  return data && data.byteLength >= 4 ? new DataView(data).getUint32(0, true) : 0;
}
