import { OpenUtmError } from '@openutm/shared';

// Paired-client tokens die after this many days without use; each use restarts the count. The
// local CLI's token is exempt: it is replaced every time the helper starts and never leaves the
// 0600 secrets file.
export const DEFAULT_TOKEN_IDLE_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

// OPENUTM_TOKEN_IDLE_DAYS as milliseconds (the default when unset); a clear error when it is not
// a positive whole number of days.
export function tokenIdleMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.OPENUTM_TOKEN_IDLE_DAYS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_TOKEN_IDLE_DAYS * DAY_MS;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1 || days > 36_500) {
    throw new OpenUtmError('BAD_REQUEST', `OPENUTM_TOKEN_IDLE_DAYS is ${JSON.stringify(raw)}; set it to a whole number of days from 1 to 36500, or unset it for ${DEFAULT_TOKEN_IDLE_DAYS}`);
  }
  return days * DAY_MS;
}

// When a token stops working: idleMs after its last use, or after pairing if never used.
export function tokenExpiresAt(token: { createdAt: string; lastUsedAt: string | null }, idleMs: number): number {
  return Date.parse(token.lastUsedAt ?? token.createdAt) + idleMs;
}

// The idle limit in words, for messages ("90 days").
export function describeIdle(idleMs: number): string {
  const days = Math.round(idleMs / DAY_MS);
  return days >= 1 ? `${days} day${days === 1 ? '' : 's'}` : `${Math.round(idleMs / 1000)} seconds`;
}
