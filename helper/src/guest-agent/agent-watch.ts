import { isOpenUtmError, type GuestAgentInfo } from '@openutm/shared';
import type { Endpoint } from '../runtime/runtime-paths';
import { QgaClient, agentAbsent, type QgaLimits } from './qga-client';
import { readGuestFacts } from './guest-commands';

// How often the watch looks. An absent agent is asked again soon at first (it may be starting
// with the guest's boot), then less often; a connected one is re-read quickly while the guest is
// young (its address comes by DHCP after the agent starts), then gently.
export interface WatchTiming {
  absentFirstMs: number;
  absentMaxMs: number;
  refreshEarlyMs: number;
  refreshEarlyCount: number;
  refreshMs: number;
}

export const WATCH_TIMING: WatchTiming = { absentFirstMs: 2_000, absentMaxMs: 15_000, refreshEarlyMs: 4_000, refreshEarlyCount: 8, refreshMs: 20_000 };

const ABSENT: GuestAgentInfo = { state: 'absent', hostname: null, os: null, ips: [], lastSeen: null };

// Facts without the time they were seen: what a change means, so a re-read that finds the same
// facts sends no event.
function sameFacts(a: GuestAgentInfo, b: GuestAgentInfo): boolean {
  const { lastSeen: _a, ...restA } = a;
  const { lastSeen: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}

// Watches one running VM's guest agent: keeps a connection to its socket, learns whether the
// agent answers, and keeps its facts. An absent agent is a state like any other: no log line,
// no error, just fewer questions as time goes on.
export class AgentWatch {
  private client: QgaClient | null = null;
  private infoValue: GuestAgentInfo;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private absentStreak = 0;
  private refreshes = 0;
  private ticking: Promise<void> | null = null;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly onChange: () => void,
    private readonly timing: WatchTiming = WATCH_TIMING,
    private readonly limits: Partial<QgaLimits> = {},
  ) {
    // On loopback TCP (Windows) QEMU has no agent channel (qemu-args/sharing.ts).
    this.infoValue = endpoint.kind === 'tcp' ? { ...ABSENT, state: 'off' } : ABSENT;
  }

  get info(): GuestAgentInfo {
    return this.infoValue;
  }

  start(): void {
    if (this.infoValue.state !== 'off') this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.client?.close();
    this.client = null;
  }

  // The agent's connection for a request, after proving it answers now (it may have started
  // since the last look); GUEST_AGENT_ABSENT when it does not.
  async agent(): Promise<QgaClient> {
    if (this.infoValue.state === 'off') throw agentAbsent('channel is off for this VM (turn on "QEMU guest agent" in its settings, then restart it)');
    const client = await this.connection().catch((e: unknown) => {
      throw isOpenUtmError(e) ? e : agentAbsent(`channel could not be opened (${(e as Error).message})`);
    });
    if (this.infoValue.state !== 'connected') {
      await client.ping();
      this.schedule(0);
    }
    return client;
  }

  // Reads the facts now (for vm.guestInfo), with all addresses when asked.
  async refresh(all: boolean): Promise<GuestAgentInfo> {
    if (this.infoValue.state === 'off') return this.infoValue;
    await this.ticking;
    await this.tick();
    if (!all || this.infoValue.state !== 'connected') return this.infoValue;
    const facts = await readGuestFacts(await this.connection(), { all: true });
    return { ...this.infoValue, ...facts };
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, ms);
    this.timer.unref();
  }

  private tick(): Promise<void> {
    this.ticking ??= this.look().finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async look(): Promise<void> {
    let client: QgaClient;
    try {
      client = await this.connection();
    } catch (e) {
      // No socket at all: QEMU was started without the agent channel (its setting is off).
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return this.set({ ...ABSENT, state: 'off' });
      this.set(ABSENT);
      return this.schedule(this.absentDelay());
    }
    try {
      await client.ping();
      const facts = await readGuestFacts(client, { all: false });
      this.absentStreak = 0;
      this.refreshes += 1;
      this.set({ state: 'connected', ...facts, lastSeen: new Date().toISOString() });
      this.schedule(this.refreshes <= this.timing.refreshEarlyCount ? this.timing.refreshEarlyMs : this.timing.refreshMs);
    } catch {
      this.refreshes = 0;
      this.set(ABSENT);
      this.schedule(this.absentDelay());
    }
  }

  private absentDelay(): number {
    this.absentStreak += 1;
    return Math.min(this.timing.absentMaxMs, this.timing.absentFirstMs * this.absentStreak);
  }

  private async connection(): Promise<QgaClient> {
    if (this.stopped) throw agentAbsent('channel closed (the VM is not running)');
    if (this.client && !this.client.isClosed) return this.client;
    const client = await QgaClient.connect(this.endpoint, this.limits);
    if (this.stopped) {
      client.close();
      throw agentAbsent('channel closed (the VM is not running)');
    }
    this.client = client;
    client.onClose(() => {
      if (this.client === client) this.client = null;
    });
    return client;
  }

  private set(next: GuestAgentInfo): void {
    if (this.stopped) return;
    const changed = !sameFacts(this.infoValue, next);
    this.infoValue = next;
    if (changed) this.onChange();
  }
}
