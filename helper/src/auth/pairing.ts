import { timingSafeEqual } from 'node:crypto';
import { OpenUtmError } from '@openutm/shared';
import { hashSecret, secureRandom, type RandomSource } from './tokens';

// 32 symbols without the look-alikes 0/O and 1/I, so a code read aloud or typed is not misread.
// 32 divides 256, so taking each random byte modulo 32 picks every symbol equally often.
export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 8;

// How hard guessing is, with a guest or local program guessing as fast as it can. A code is
// one of 32^8 = 2^40 ≈ 1.1e12 values. Every attempt is compared first, so a right code always
// works, however many wrong ones arrive around it (no rate limit can lock the real user out).
// What bounds guessing is a budget per code: every wrong guess made while a code is live is
// charged to it (a guess cannot be told apart by which code it aims at), and the code is
// cancelled at wrongGuessesPerCode = 1000. So no code is ever tried more than 1000 times, and the
// chance that a given code is guessed is ≤ 1000 / 2^40 ≈ 9.1e-10 — under one in a billion per
// code the person mints; even a thousand `openutm pair` runs under constant attack leave it
// below one in a million. 1000 is far above what a typo-prone human spends, and at the rate a
// VM's guest can flood the helper it takes seconds to minutes to burn, so a code typed in soon
// after `openutm pair` normally survives; once burned the person is told so and runs
// `openutm pair` again (which needs the local token, so a guest cannot mint codes itself).
export const DEFAULT_PAIRING_LIMITS = {
  ttlMs: 5 * 60_000,
  maxOutstanding: 3,
  wrongGuessesPerCode: 1000,
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
  // Wrong guesses made while this code was live; at the limit the code is burned.
  wrongGuesses: number;
}

// A code cancelled for too many wrong guesses, remembered until it would have expired so that
// its owner is told why it stopped working rather than "wrong".
interface Burned {
  digest: Buffer;
  expiresAt: number;
}

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
  private burned: Burned[] = [];
  // Wrong guesses in all, for the log and the flood test.
  private wrongTotal = 0;

  constructor(options: PairingOptions = {}) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? secureRandom;
    this.limits = { ...DEFAULT_PAIRING_LIMITS, ...options.limits };
  }

  // A new single-use code, with a fresh wrong-guess budget. The oldest outstanding code is
  // dropped when there are too many.
  createCode(): PairingCode {
    const now = this.now();
    this.prune(now);
    const bytes = this.random(CODE_LENGTH);
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[bytes[i]! % CODE_ALPHABET.length];
    const expiresAt = now + this.limits.ttlMs;
    this.codes.push({ digest: hashSecret(code), expiresAt, wrongGuesses: 0 });
    while (this.codes.length > this.limits.maxOutstanding) this.codes.shift();
    return { code, expiresAt };
  }

  // How many codes could be redeemed right now.
  outstanding(): number {
    this.prune(this.now());
    return this.codes.length;
  }

  // How many wrong guesses were ever made (none of them is refused before being compared).
  wrongGuesses(): number {
    return this.wrongTotal;
  }

  // Consumes a code. Every attempt is compared, so a right code works whatever came before it.
  // A wrong one is charged to every live code; a code that reaches its budget is cancelled.
  // Throws UNAUTHORIZED for a wrong, used or expired code, RATE_LIMITED for a burned one.
  redeem(code: string, clientName: string, remote: string): Redemption {
    const now = this.now();
    this.prune(now);
    const digest = hashSecret(normalizeCode(code));
    const match = indexOfDigest(this.codes, digest);
    if (match >= 0) {
      this.codes.splice(match, 1);
      return { clientName, remote, at: now };
    }
    this.wrongTotal++;
    for (const c of this.codes) c.wrongGuesses++;
    const spent = this.codes.filter((c) => c.wrongGuesses >= this.limits.wrongGuessesPerCode);
    if (spent.length > 0) {
      this.codes = this.codes.filter((c) => !spent.includes(c));
      this.burned.push(...spent.map(({ digest: d, expiresAt }) => ({ digest: d, expiresAt })));
    }
    if (indexOfDigest(this.burned, digest) >= 0) {
      throw new OpenUtmError(
        'RATE_LIMITED',
        `that pairing code was cancelled after ${this.limits.wrongGuessesPerCode} wrong guesses from elsewhere (a VM or a program on this computer is guessing codes); run \`openutm pair\` for a new one`,
        { reason: 'code-burned', remote },
      );
    }
    throw new OpenUtmError('UNAUTHORIZED', 'that pairing code is wrong, used or expired — run `openutm pair` for a new one', { remote });
  }

  // Forgets expired codes, burned ones included.
  private prune(now: number): void {
    this.codes = this.codes.filter((c) => c.expiresAt > now);
    this.burned = this.burned.filter((c) => c.expiresAt > now);
  }
}

// Compares against every entry, without stopping at a match, so the time taken says nothing
// about which code (or how much of one) was right.
function indexOfDigest(entries: ReadonlyArray<{ digest: Buffer }>, digest: Buffer): number {
  let match = -1;
  entries.forEach((c, i) => {
    if (timingSafeEqual(c.digest, digest)) match = i;
  });
  return match;
}
