import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ConsoleChannel } from '@openutm/shared';

// Limits of one ticket; the defaults fit one spice-html5 session (one WebSocket per SPICE
// channel: main, display, inputs, cursor, playback, record, usbredir …, about eight).
export const TICKET_DEFAULTS = {
  // How long after issue the ticket can open WebSockets.
  ttlMs: 30_000,
  // How many WebSockets one ticket may open before it is dead.
  maxOpens: 16,
  // Live tickets kept at most; the oldest is dropped past this (issuing is authenticated, so
  // this only bounds a buggy client).
  maxLive: 1024,
} as const;

// Limits of every ticket a ConsoleTickets issues (TICKET_DEFAULTS otherwise).
export interface TicketOptions {
  ttlMs?: number;
  maxOpens?: number;
  maxLive?: number;
  // Milliseconds since the epoch; injected so tests can move time.
  now?: () => number;
}

// Why a ticket was refused; the upgrade handler turns every one into 403.
export type TicketRefusal = 'unknown' | 'expired' | 'used-up' | 'other-vm' | 'other-channel';

// The outcome of one WebSocket open with a ticket.
// `session` names the ticket (not its secret): the channels opened with one ticket are one session.
// `owner` is the client token the ticket was issued to (null when issued without one), so its
// consoles can end when that token is revoked.
export type ConsumeResult = { ok: true; opensLeft: number; session: string; owner: string | null } | { ok: false; reason: TicketRefusal };

interface TicketRecord {
  hash: Buffer;
  vmId: string;
  channel: ConsoleChannel;
  expiresAt: number;
  opensLeft: number;
  owner: string | null;
}

const TICKET_BYTES = 32;
// Refused tickets are remembered this long after expiry, so a late client hears "expired"
// rather than "unknown"; after that they are forgotten.
const FORGET_AFTER_MS = 60_000;

// Short-lived console tickets: 256 random bits, bound to one VM and one channel, good for a
// bounded number of WebSocket opens within a short window. Only a hash of each ticket is kept,
// and tickets are compared in constant time.
export class ConsoleTickets {
  private readonly byHash = new Map<string, TicketRecord>();
  private readonly ttlMs: number;
  private readonly maxOpens: number;
  private readonly maxLive: number;
  private readonly now: () => number;

  constructor(opts: TicketOptions = {}) {
    this.ttlMs = opts.ttlMs ?? TICKET_DEFAULTS.ttlMs;
    this.maxOpens = opts.maxOpens ?? TICKET_DEFAULTS.maxOpens;
    this.maxLive = opts.maxLive ?? TICKET_DEFAULTS.maxLive;
    this.now = opts.now ?? Date.now;
  }

  // A new ticket for one VM's console; the ticket itself is only ever in the caller's hands.
  // `owner` names the client token that asked, so revoking that token kills the ticket.
  issue(vmId: string, channel: ConsoleChannel = 'display', owner: string | null = null): { ticket: string; expiresAt: string } {
    this.prune();
    const ticket = randomBytes(TICKET_BYTES).toString('base64url');
    const hash = hashOf(ticket);
    const expiresAt = this.now() + this.ttlMs;
    this.byHash.set(hash.toString('hex'), { hash, vmId, channel, expiresAt, opensLeft: this.maxOpens, owner });
    while (this.byHash.size > this.maxLive) {
      const oldest = this.byHash.keys().next().value;
      if (oldest === undefined) break;
      this.byHash.delete(oldest);
    }
    return { ticket, expiresAt: new Date(expiresAt).toISOString() };
  }

  // Uses up one open of a ticket for this VM and channel, or says why it cannot.
  consume(vmId: string, ticket: string, channel: ConsoleChannel = 'display'): ConsumeResult {
    this.prune();
    const hash = hashOf(ticket);
    const record = this.byHash.get(hash.toString('hex'));
    // The map is keyed by a hash of the ticket, which says nothing about the ticket's own bytes;
    // the stored hash is still compared in constant time before it is trusted.
    if (!record || !timingSafeEqual(record.hash, hash)) return { ok: false, reason: 'unknown' };
    if (record.vmId !== vmId) return { ok: false, reason: 'other-vm' };
    if (record.channel !== channel) return { ok: false, reason: 'other-channel' };
    if (this.now() >= record.expiresAt) return { ok: false, reason: 'expired' };
    if (record.opensLeft <= 0) return { ok: false, reason: 'used-up' };
    record.opensLeft -= 1;
    return { ok: true, opensLeft: record.opensLeft, session: hash.toString('hex'), owner: record.owner };
  }

  // Kills every ticket of a VM, e.g. when it stops or is deleted.
  revoke(vmId: string): void {
    for (const [key, record] of this.byHash) if (record.vmId === vmId) this.byHash.delete(key);
  }

  // Kills every ticket issued to a client token, when that token is revoked.
  revokeOwner(owner: string): void {
    for (const [key, record] of this.byHash) if (record.owner === owner) this.byHash.delete(key);
  }

  // How many tickets are remembered (live or recently dead); for tests and diagnostics.
  get size(): number {
    return this.byHash.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [key, record] of this.byHash) if (now >= record.expiresAt + FORGET_AFTER_MS) this.byHash.delete(key);
  }
}

// A human sentence for a refusal, sent in the body of the 403.
export function describeRefusal(reason: TicketRefusal): string {
  switch (reason) {
    case 'unknown':
      return 'the console ticket is not valid; ask for a new one with console.open';
    case 'expired':
      return 'the console ticket has expired; ask for a new one with console.open and connect at once';
    case 'used-up':
      return 'the console ticket has been used up; ask for a new one with console.open';
    case 'other-vm':
      return 'the console ticket was issued for another VM; ask for one for this VM with console.open';
    case 'other-channel':
      return 'the console ticket was issued for another console channel; ask for one with the right channel';
  }
}

function hashOf(ticket: string): Buffer {
  return createHash('sha256').update(ticket, 'utf8').digest();
}
