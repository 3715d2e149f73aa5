import { createHash, randomBytes } from 'node:crypto';
import { OpenUtmError } from '@openutm/shared';
import type { ApiAuth, TokenCheck } from '../../../src/api/api-auth';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// A small but real ApiAuth for the API tests: tokens and one-time codes in memory, looked up by
// hash (so the lookup does not compare secrets byte by byte), pairing attempts limited per
// remote. helper/src/auth/ is the real store; these tests exercise the server, not it.
export class MemoryAuth implements ApiAuth {
  private readonly tokens = new Map<string, { tokenId: string; name: string }>();
  private readonly codes = new Map<string, { expiresAt: number }>();
  private readonly failures = new Map<string, number>();
  private readonly listeners = new Set<(tokenId: string) => void>();

  constructor(private readonly maxFailures = 5) {}

  issueToken(name: string): { token: string; tokenId: string } {
    const token = randomBytes(32).toString('base64url');
    const tokenId = randomBytes(6).toString('hex');
    this.tokens.set(sha256(token), { tokenId, name });
    return { token, tokenId };
  }

  issuePairingCode(ttlMs = 60_000): string {
    const code = randomBytes(6).toString('hex');
    this.codes.set(sha256(code), { expiresAt: Date.now() + ttlMs });
    return code;
  }

  tokenCount(): number {
    return this.tokens.size;
  }

  revoke(tokenId: string): void {
    for (const [hash, t] of this.tokens) if (t.tokenId === tokenId) this.tokens.delete(hash);
    for (const l of [...this.listeners]) l(tokenId);
  }

  checkToken(token: string): TokenCheck {
    const found = this.tokens.get(sha256(token));
    return found ? { ok: true, ...found } : { ok: false, reason: 'unknown', message: 'this token is not valid (unknown or revoked); pair this client again with `openutm pair`' };
  }

  redeemPairingCode(code: string, clientName: string, remote: string): { token: string; tokenId: string } {
    const failed = this.failures.get(remote) ?? 0;
    if (failed >= this.maxFailures) {
      throw new OpenUtmError('RATE_LIMITED', 'too many wrong pairing codes; wait a minute and try again', { retryAfterMs: 60_000 });
    }
    const key = sha256(code);
    const entry = this.codes.get(key);
    if (entry === undefined || entry.expiresAt < Date.now()) {
      this.failures.set(remote, failed + 1);
      throw new OpenUtmError('UNAUTHORIZED', 'that pairing code is wrong, expired or used; run `openutm pair` for a new one');
    }
    this.codes.delete(key);
    return this.issueToken(clientName);
  }

  onRevoked(listener: (tokenId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  listenerCount(): number {
    return this.listeners.size;
  }
}
