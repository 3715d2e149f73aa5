import { timingSafeEqual } from 'node:crypto';
import { OpenUtmError } from '@openutm/shared';
import { hashSecret, secureRandom, type RandomSource } from './tokens';

// 32 symbols without the look-alikes 0/O and 1/I, so a code read aloud or typed is not misread.
// 32 divides 256, so taking each random byte modulo 32 picks every symbol equally often.
export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 8;

// How hard guessing is. A code is one of 32^8 = 2^40 ≈ 1.1e12 values. An attacker gets at most
// HOUR_FAILURES = 20 wrong guesses; the 20th cancels every outstanding code (at most
// MAX_OUTSTANDING = 3), so all the guesses ever made against a given code number ≤ 20, and the
// chance that any of them hits one of the live codes is ≤ 20 × 3 / 2^40 ≈ 5.5e-11 — about one in
// eighteen billion. A new budget starts only when the person at the keyboard runs `openutm pair`
// (which needs the local token). The per-minute limit keeps a typo-prone human unaffected while
// slowing a script to 5 guesses a minute.
export const DEFAULT_PAIRING_LIMITS = {
  ttlMs: 5 * 60_000,
  maxOutstanding: 3,
  minuteFailures: 5,
  hourFailures: 20,
};
export type PairingLimits = typeof DEFAULT_PAIRING_LIMITS;

export interface PairingOptions {
  now?: () => number;
  random?: RandomSource;
  limits?: Partial<PairingLimits>;
}

// A code handed to the person, with when it stops working (ms since the epoch).
export interface PairingCode {
  code: string;
  expiresAt: number;
}

// What a successful redemption tells the caller, for naming the new token and for the log.
export interface Redemption {
  clientName: string;
  remote: string;
  at: number;
}

interface Outstanding {
  digest: Buffer;
  expiresAt: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// Canonical form of what a person typed: case and separators (spaces, dashes) do not matter.
export function normalizeCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}

// How codes are shown to people: two groups of four, e.g. "K7QM-2XPD". Both forms redeem.
export function formatCode(code: string): string {
  return code.length === CODE_LENGTH ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
}

// One-time pairing codes and the brute-force limits around them. Pure logic: time and
// randomness are injected, nothing sleeps, nothing is written to disk.
export class PairingCodes {
  private readonly now: () => number;
  private readonly random: RandomSource;
  private readonly limits: PairingLimits;
  private codes: Outstanding[] = [];
  private failures: number[] = [];
  // Set when the hourly limit cancelled every code; cleared by the next createCode.
  private lockedOut = false;

  constructor(options: PairingOptions = {}) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? secureRandom;
    this.limits = { ...DEFAULT_PAIRING_LIMITS, ...options.limits };
  }

  // A new single-use code. The oldest outstanding code is dropped when there are too many, and a
  // lock-out from too many wrong guesses ends here: the person asked for a fresh code.
  createCode(): PairingCode {
    const now = this.now();
    this.prune(now);
    if (this.lockedOut) {
      this.lockedOut = false;
      this.failures = [];
    }
    const bytes = this.random(CODE_LENGTH);
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[bytes[i]! % CODE_ALPHABET.length];
    const expiresAt = now + this.limits.ttlMs;
    this.codes.push({ digest: hashSecret(code), expiresAt });
    while (this.codes.length > this.limits.maxOutstanding) this.codes.shift();
    return { code, expiresAt };
  }

  // How many codes could be redeemed right now.
  outstanding(): number {
    this.prune(this.now());
    return this.codes.length;
  }

  // Consumes a code. Throws CONFLICT while rate limited (the attempt is not evaluated, and not
  // counted) and UNAUTHORIZED for a wrong, used or expired code (counted).
  redeem(code: string, clientName: string, remote: string): Redemption {
    const now = this.now();
    this.prune(now);
    this.refuseIfLimited(now);
    const digest = hashSecret(normalizeCode(code));
    // Compare against every outstanding code, without stopping at a match, so the time taken
    // says nothing about which code (or how much of one) was right.
    let match = -1;
    this.codes.forEach((c, i) => {
      if (timingSafeEqual(c.digest, digest)) match = i;
    });
    if (match >= 0) {
      this.codes.splice(match, 1);
      return { clientName, remote, at: now };
    }
    this.failures.push(now);
    if (this.failures.length >= this.limits.hourFailures) {
      this.codes = [];
      this.lockedOut = true;
      throw this.lockedOutError();
    }
    throw new OpenUtmError('UNAUTHORIZED', 'that pairing code is wrong, used or expired — run `openutm pair` for a new one', { remote });
  }

  private refuseIfLimited(now: number): void {
    if (this.lockedOut) throw this.lockedOutError();
    const lastMinute = this.failures.filter((t) => t > now - MINUTE);
    if (lastMinute.length >= this.limits.minuteFailures) {
      const retryAfterMs = lastMinute[0]! + MINUTE - now;
      throw rateLimited(`too many wrong pairing codes; try again in ${Math.ceil(retryAfterMs / 1000)} s`, retryAfterMs);
    }
  }

  // No code exists while locked out, so there is nothing to wait for but a new code.
  private lockedOutError(): OpenUtmError {
    return rateLimited(
      `too many wrong pairing codes (${this.limits.hourFailures} within an hour), so every code was cancelled; run \`openutm pair\` for a new one`,
    );
  }

  // Forgets expired codes and failures older than an hour.
  private prune(now: number): void {
    this.codes = this.codes.filter((c) => c.expiresAt > now);
    this.failures = this.failures.filter((t) => t > now - HOUR);
  }
}

// RATE_LIMITED is proposed for shared/errors.ts; until it exists, CONFLICT with a marker detail.
function rateLimited(message: string, retryAfterMs?: number): OpenUtmError {
  return new OpenUtmError('RATE_LIMITED', message, {
    reason: 'rate-limited',
    ...(retryAfterMs !== undefined && { retryAfterMs: Math.max(0, retryAfterMs) }),
  });
}
