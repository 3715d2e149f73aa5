import { createHash, randomBytes } from 'node:crypto';
import type { ApiAuth, TokenCheck } from '../../../src/api/api-auth';
import { PairingCodes, type PairingLimits } from '../../../src/auth/pairing';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// A small but real ApiAuth for the API tests: tokens and one-time codes in memory, looked up by
// hash (so the lookup does not compare secrets byte by byte); pairing codes and their guessing
// bound are the real PairingCodes. helper/src/auth/ is the real store; these tests exercise the
// server, not it.
export class MemoryAuth implements ApiAuth {
  private readonly tokens = new Map<string, { tokenId: string; name: string }>();
  private readonly codes: PairingCodes;
  private readonly listeners = new Set<(tokenId: string) => void>();

  constructor(pairingLimits: Partial<PairingLimits> = {}) {
    this.codes = new PairingCodes({ limits: pairingLimits });
  }

  issueToken(name: string): { token: string; tokenId: string } {
    const token = randomBytes(32).toString('base64url');
    const tokenId = randomBytes(6).toString('hex');
    this.tokens.set(sha256(token), { tokenId, name });
    return { token, tokenId };
  }

  issuePairingCode(): string {
    return this.codes.createCode().code;
  }

  // Wrong pairing codes tried so far.
  wrongGuesses(): number {
    return this.codes.wrongGuesses();
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
    this.codes.redeem(code, clientName, remote);
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
