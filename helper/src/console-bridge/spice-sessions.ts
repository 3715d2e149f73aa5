import { SPICE_MAIN_CHANNEL, sniffChannelType } from './spice-link-sniff';

// One bridged channel as the session sees it: how to close its VM side gracefully, and when
// that side has closed.
export interface SessionChannel {
  // Ends the channel (WebSocket and VM socket) because its session is ending; no-op once ending.
  closeForSession(): void;
  // Resolves once the channel's VM socket has closed.
  readonly vmClosed: Promise<void>;
}

// A channel's membership of its session, handed to the bridge.
export interface SessionMember {
  // Feed every client frame until it answers false (the channel type is then known).
  observe: (frame: Buffer) => boolean;
  // Awaited by the bridge before it closes this channel's VM socket (main's must close first).
  beforeVmClose: () => Promise<void>;
  // Called once the bridge exists; the session can then close the channel.
  attach(channel: SessionChannel): void;
}

interface Member {
  type: number | null;
  channel: SessionChannel | null;
}

interface Session {
  members: Set<Member>;
  ending: boolean;
}

// The channels of each SPICE session, closed as a whole and main first. libspice-server 0.15
// (QEMU 7.2) segfaults QEMU ("SPICE Worker") when a display channel that is linked but not yet
// initialised closes while its session's main channel is still connected; closing main first and
// the rest after it is safe. A browser tab going away closes its WebSockets in any order, so
// whichever channel goes first, the bridge closes main's VM socket, waits until it has closed,
// and only then closes the others. A session is everything opened with one console ticket
// (spice-html5 opens all channels of one session with the ticket it was given).
export class SpiceSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly graceMs: number) {}

  // Whether the session has started closing; later channels are refused.
  isEnding(key: string): boolean {
    return this.sessions.get(key)?.ending ?? false;
  }

  // Adds a channel to the session `key` (the ticket's identity).
  join(key: string): SessionMember {
    let session = this.sessions.get(key);
    if (!session) {
      session = { members: new Set(), ending: false };
      this.sessions.set(key, session);
    }
    const s = session;
    const member: Member = { type: null, channel: null };
    s.members.add(member);
    return {
      observe: sniffChannelType((type) => (member.type = type)),
      beforeVmClose: () => this.beforeVmClose(s, member),
      attach: (channel) => {
        member.channel = channel;
        void channel.vmClosed.then(() => this.leave(key, s, member));
      },
    };
  }

  private async beforeVmClose(s: Session, member: Member): Promise<void> {
    // A channel that never linked is unknown to SPICE: its order does not matter.
    if (member.type === null) return;
    s.ending = true;
    const mains = [...s.members].filter((m) => m.type === SPICE_MAIN_CHANNEL && m.channel !== null);
    if (member.type === SPICE_MAIN_CHANNEL) {
      // Main closes now; the rest follow once its VM socket has closed.
      void member.channel?.vmClosed.then(() => this.closeAll(s, (m) => m.type !== SPICE_MAIN_CHANNEL));
      return;
    }
    for (const m of mains) m.channel!.closeForSession();
    await this.within(Promise.all(mains.map((m) => m.channel!.vmClosed)));
    this.closeAll(s, (m) => m !== member);
  }

  private closeAll(s: Session, which: (m: Member) => boolean): void {
    for (const m of [...s.members]) if (which(m)) m.channel?.closeForSession();
  }

  // Waits for `p`, but at most graceMs: a stuck socket must not keep the others open.
  private async within(p: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.graceMs)));
    await Promise.race([p, deadline]);
    clearTimeout(timer);
  }

  private leave(key: string, s: Session, member: Member): void {
    s.members.delete(member);
    if (s.members.size === 0 && this.sessions.get(key) === s) this.sessions.delete(key);
  }
}
