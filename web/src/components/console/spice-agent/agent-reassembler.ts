import { AGENT_HEADER_SIZE, AgentProtocolError, VD_AGENT_PROTOCOL, type AgentMessage } from './agent-protocol';

// Beyond this a message is refused rather than buffered: 1 MiB texts fit many times over, and a
// garbled header (a huge size) must not make the page allocate gigabytes.
export const AGENT_MESSAGE_MAX = 64 * 1024 * 1024;

// The server forwards the agent's stream in pieces that need not match its messages: a header
// can be split, a piece can end one message and start the next. This puts them back together.
export class AgentReassembler {
  private header = new Uint8Array(AGENT_HEADER_SIZE);
  private headerFill = 0;
  private type = 0;
  private body: Uint8Array | null = null;
  private bodyFill = 0;

  constructor(private readonly max = AGENT_MESSAGE_MAX) {}

  // Every message this piece completes, in order.
  push(piece: Uint8Array): AgentMessage[] {
    const done: AgentMessage[] = [];
    let at = 0;
    while (at < piece.length) {
      if (this.body === null) {
        const take = Math.min(AGENT_HEADER_SIZE - this.headerFill, piece.length - at);
        this.header.set(piece.subarray(at, at + take), this.headerFill);
        this.headerFill += take;
        at += take;
        if (this.headerFill < AGENT_HEADER_SIZE) break;
        const dv = new DataView(this.header.buffer);
        const protocol = dv.getUint32(0, true);
        const size = dv.getUint32(16, true);
        this.headerFill = 0;
        if (protocol !== VD_AGENT_PROTOCOL) throw new AgentProtocolError(`agent protocol ${protocol}, expected ${VD_AGENT_PROTOCOL}`);
        if (size > this.max) throw new AgentProtocolError(`agent message of ${size} bytes, more than the ${this.max} accepted`);
        this.type = dv.getUint32(4, true);
        this.body = new Uint8Array(size);
        this.bodyFill = 0;
      }
      const take = Math.min(this.body.length - this.bodyFill, piece.length - at);
      this.body.set(piece.subarray(at, at + take), this.bodyFill);
      this.bodyFill += take;
      at += take;
      if (this.bodyFill === this.body.length) {
        done.push({ type: this.type, body: this.body });
        this.body = null;
      }
    }
    return done;
  }

  // The agent went away: whatever was half-read belongs to nobody.
  reset(): void {
    this.headerFill = 0;
    this.body = null;
  }
}
