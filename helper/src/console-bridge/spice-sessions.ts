import { SPICE_MAIN_CHANNEL, SpiceClientStream } from './spice-client-stream';
import { SpiceServerHandshake } from './spice-server-handshake';

// One bridged channel as the session sees it: how to close its VM side gracefully, and when
// that side has closed.
export interface SessionChannel {
  // Ends the channel (WebSocket and VM socket) because its session is ending; no-op once ending.
  closeForSession(): void;
  // Resolves once the channel's VM socket has closed.
  readonly vmClosed: Promise<void>;
  // Writes bytes to the VM socket on the client's behalf, if it is still open for writing.
  sendToVm(bytes: Buffer): void;
}

// A channel's membership of its session, handed to the bridge.
export interface SessionMember {
  // Feed every client frame until it answers false (the channel type is then known).
  observe: (frame: Buffer) => boolean;
  // Feed every chunk from the VM until it answers false (the channel is then set up, or refused).
  observeVm: (chunk: Buffer) => boolean;
  // Awaited by the bridge before it closes this channel's VM socket (main's must close first):
  // 'end' to end the VM socket itself, 'vm-closes' to leave it to QEMU, which closes every other
  // channel of the session as it tears the session down after main.
  beforeVmClose: () => Promise<VmCloseMode>;
  // Called once the bridge exists; the session can then close the channel.
  attach(channel: SessionChannel): void;
}

export type VmCloseMode = 'end' | 'vm-closes';

interface Member {
  stream: SpiceClientStream;
  server: SpiceServerHandshake;
  channel: SessionChannel | null;
}

// The channel type once linked; null before that or when the bytes are not SPICE.
const typeOf = (m: Member): number | null => m.stream.type ?? null;

interface Session {
  members: Set<Member>;
  // Set once the session starts ending (later channels are refused from then on): whether its
  // main channel's VM socket closed in time.
  mainClosed: Promise<boolean> | null;
}

// The channels of each SPICE session, closed as a whole, main first, the way spice-server
// expects. libspice-server 0.15 (QEMU 7.2) keeps its display thread in a receive loop from the
// moment a display channel links until the client's DISPLAY_INIT arrives (up to 30 s). Ending
// that channel from here while the session is alive segfaults QEMU; tearing the session down by
// closing main blocks QEMU's main thread on that loop. It also segfaults when the session is torn
// down while a channel whose ticket it accepted is still being set up (as when QEMU refuses one
// channel's ticket and the page gives up on the others). A browser tab going away closes its
// WebSockets in any order, at any point of the handshake, so whichever channel goes first:
//  0. channels QEMU is still setting up (ticket sent, no first message yet) are waited for;
//  1. a display channel that never sent DISPLAY_INIT is sent one, which ends the loop;
//  2. main's VM socket is ended, and the bridge waits until it has closed;
//  3. the other channels' VM sockets are left to QEMU, which closes each as it destroys the
//     session (closing them from here as well raced that teardown and crashed QEMU under CI
//     load); one QEMU leaves open is destroyed after a grace.
// A session is everything opened with one console ticket (spice-html5 opens all channels of one
// session with the ticket it was given).
export class SpiceSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly graceMs: number) {}

  // Whether the session has started closing; later channels are refused.
  isEnding(key: string): boolean {
    return (this.sessions.get(key)?.mainClosed ?? null) !== null;
  }

  // Adds a channel to the session `key` (the ticket's identity).
  join(key: string): SessionMember {
    let session = this.sessions.get(key);
    if (!session) {
      session = { members: new Set(), mainClosed: null };
      this.sessions.set(key, session);
    }
    const s = session;
    const member: Member = { stream: new SpiceClientStream(), server: new SpiceServerHandshake(), channel: null };
    s.members.add(member);
    return {
      observe: (frame) => member.stream.observe(frame),
      observeVm: (chunk) => member.server.observe(chunk),
      beforeVmClose: () => this.beforeVmClose(s, member),
      attach: (channel) => {
        member.channel = channel;
        void channel.vmClosed.then(() => this.leave(key, s, member));
      },
    };
  }

  private async beforeVmClose(s: Session, member: Member): Promise<VmCloseMode> {
    // A channel that never linked is unknown to SPICE: its order does not matter.
    if (typeOf(member) === null) return 'end';
    const mainClosed = this.endSession(s);
    if (typeOf(member) === SPICE_MAIN_CHANNEL) return 'end';
    return (await mainClosed) ? 'vm-closes' : 'end';
  }

  // Starts ending the session once: main's channels close once every channel QEMU is setting up
  // is set up (or refused, or gone), the rest once main's VM socket has closed (or the grace ran
  // out). Resolves to whether main's VM socket closed in time.
  private endSession(s: Session): Promise<boolean> {
    s.mainClosed ??= this.closeMainFirst(s);
    return s.mainClosed;
  }

  private async closeMainFirst(s: Session): Promise<boolean> {
    const settingUp = [...s.members].filter((m) => m.channel !== null && m.stream.ticketSent && !m.server.isSettled);
    if (settingUp.length > 0) await this.within(Promise.all(settingUp.map((m) => Promise.race([m.server.settled, m.channel!.vmClosed]))));
    // A display channel still waiting for its DISPLAY_INIT gets it now, so that QEMU's display
    // thread is out of its receive loop before the session is torn down.
    for (const m of s.members) {
      const init = m.channel && m.server.state !== 'refused' ? m.stream.pendingDisplayInit() : null;
      if (init) m.channel!.sendToVm(init);
    }
    const mains = [...s.members].filter((m) => typeOf(m) === SPICE_MAIN_CHANNEL && m.channel !== null);
    if (mains.length === 0) return false;
    const closedInTime = this.within(Promise.all(mains.map((m) => m.channel!.vmClosed)));
    for (const m of mains) m.channel!.closeForSession();
    void closedInTime.then(() => this.closeAll(s, (m) => typeOf(m) !== SPICE_MAIN_CHANNEL));
    return closedInTime;
  }

  private closeAll(s: Session, which: (m: Member) => boolean): void {
    for (const m of [...s.members]) if (which(m)) m.channel?.closeForSession();
  }

  // Waits for `p`, but at most graceMs (a stuck socket must not keep the others open); whether
  // `p` settled in time.
  private async within(p: Promise<unknown>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.graceMs)));
    const settled = await Promise.race([p.then(() => true), deadline]);
    clearTimeout(timer);
    return settled;
  }

  private leave(key: string, s: Session, member: Member): void {
    s.members.delete(member);
    if (s.members.size === 0 && this.sessions.get(key) === s) this.sessions.delete(key);
  }
}
