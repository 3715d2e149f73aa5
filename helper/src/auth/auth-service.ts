import { timingSafeEqual } from 'node:crypto';
import { LOCAL_CLIENT_ID, OpenUtmError, type TokenInfo } from '@openutm/shared';
import type { ApiAuth, TokenCheck } from '../api/api-auth';
import { PairingCodes, type PairingCode, type PairingLimits } from './pairing';
import { SecretsStore, type ClientTokenRecord } from './secrets-store';
import { describeIdle, tokenExpiresAt, tokenIdleMsFromEnv } from './token-lifetime';
import { digestEquals, hashSecret, newToken, newTokenId, secureRandom, type RandomSource } from './tokens';

// ApiAuth is the server's contract (helper/src/api/api-auth.ts); re-exported for callers here.
export type { ApiAuth };

// A token as `openutm tokens` and the UI list it: never the secret, never its hash.
export type ClientTokenInfo = Omit<TokenInfo, 'current'>;

// The local CLI authenticates with this identity; it is not listed and cannot be revoked
// (it changes every time the helper starts).
export const LOCAL_CLI_TOKEN_ID = LOCAL_CLIENT_ID;
export const LOCAL_CLI_TOKEN_NAME = 'openutm CLI (local)';

// Enough for every browser and device a person owns; verifyToken's cost grows with it.
export const MAX_CLIENT_TOKENS = 100;

export interface AuthServiceOptions {
  now?: () => number;
  random?: RandomSource;
  pairingLimits?: Partial<PairingLimits>;
  // How long lastUsedAt changes wait before they are written (default one minute).
  lastUsedDebounceMs?: number;
  // Where a failed background write is reported (default stderr).
  log?: (line: string) => void;
  // A client token unused this long is refused (default: OPENUTM_TOKEN_IDLE_DAYS, else 90 days).
  tokenIdleMs?: number;
}

// Tokens and pairing for one helper: client tokens live in the library's secrets file, pairing
// codes only in memory (a restart cancels them).
export class AuthService implements ApiAuth {
  private readonly listeners = new Set<(tokenId: string) => void>();
  private readonly now: () => number;
  private readonly random: RandomSource;
  private readonly debounceMs: number;
  private readonly log: (line: string) => void;
  private readonly localDigest: Buffer;
  private readonly idleMs: number;
  private flushTimer: NodeJS.Timeout | null = null;
  private dirty = false;

  private constructor(
    private readonly store: SecretsStore,
    private readonly pairing: PairingCodes,
    options: AuthServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? secureRandom;
    this.debounceMs = options.lastUsedDebounceMs ?? 60_000;
    this.log = options.log ?? ((line) => process.stderr.write(line + '\n'));
    this.localDigest = hashSecret(store.localCliToken);
    this.idleMs = options.tokenIdleMs ?? tokenIdleMsFromEnv();
  }

  // Opens the library's secrets file (creating it, mode 0600) and starts with no pairing codes.
  static open(root: string, options: AuthServiceOptions = {}): AuthService {
    const random = options.random ?? secureRandom;
    const store = SecretsStore.open(root, { random, log: options.log });
    const pairing = new PairingCodes({ now: options.now, random, limits: options.pairingLimits });
    return new AuthService(store, pairing, options);
  }

  // The file the local CLI reads its token from.
  get secretsFile(): string {
    return this.store.file;
  }

  // The identity behind a token, or null; see checkToken for why.
  verifyToken(token: string): { tokenId: string; name: string } | null {
    const check = this.checkToken(token);
    return check.ok ? { tokenId: check.tokenId, name: check.name } : null;
  }

  checkToken(token: string): TokenCheck {
    const unknown: TokenCheck = { ok: false, reason: 'unknown', message: 'this token is not valid (unknown or revoked); pair this client again with `openutm pair`' };
    try {
      if (typeof token !== 'string' || token.length === 0 || token.length > 256) return unknown;
      const digest = hashSecret(token);
      // Every stored digest is compared, match or not, so timing does not reveal which matched.
      let found: ClientTokenRecord | null = null;
      for (const record of this.store.clients) if (digestEquals(digest, record.hash)) found = record;
      if (timingSafeEqual(digest, this.localDigest)) return { ok: true, tokenId: LOCAL_CLI_TOKEN_ID, name: LOCAL_CLI_TOKEN_NAME };
      if (found === null) return unknown;
      const now = this.now();
      // An expired token changes nothing: its last use stays as it was.
      if (now >= tokenExpiresAt(found, this.idleMs)) {
        return { ok: false, reason: 'expired', message: `this token expired after ${describeIdle(this.idleMs)} without use; pair this client again with \`openutm pair\`` };
      }
      this.store.markUsed(found.id, new Date(now).toISOString());
      this.scheduleFlush();
      return { ok: true, tokenId: found.id, name: found.name };
    } catch {
      return unknown;
    }
  }

  redeemPairingCode(code: string, clientName: string, remote: string): { token: string; tokenId: string } {
    const name = cleanName(clientName);
    if (this.store.clients.length >= MAX_CLIENT_TOKENS) {
      throw new OpenUtmError('CONFLICT', `there are already ${MAX_CLIENT_TOKENS} paired clients; revoke some with \`openutm tokens revoke <id>\` first`);
    }
    const redemption = this.pairing.redeem(code, name, remote);
    const token = newToken(this.random);
    const record: ClientTokenRecord = {
      id: this.freshId(),
      name,
      hash: hashSecret(token).toString('hex'),
      createdAt: new Date(redemption.at).toISOString(),
      lastUsedAt: null,
    };
    this.store.addClient(record);
    return { token, tokenId: record.id };
  }

  onRevoked(listener: (tokenId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // Every paired client token, oldest first.
  listTokens(): ClientTokenInfo[] {
    return this.store.clients.map((record) => this.info(record));
  }

  // Forgets a client token for good and tells the listeners (the server closes its connections).
  revokeToken(id: string): ClientTokenInfo {
    const record = this.store.removeClient(id);
    if (record === null) throw new OpenUtmError('NOT_FOUND', `no token has the id ${JSON.stringify(id)}; \`openutm tokens\` lists them`);
    for (const listener of [...this.listeners]) {
      try {
        listener(id);
      } catch (e) {
        this.log(`a listener for revoked token ${id} failed: ${(e as Error).message}`);
      }
    }
    return this.info(record);
  }

  // What is shown of a token: never its hash; when it stops working unless used before.
  private info({ id, name, createdAt, lastUsedAt }: ClientTokenRecord): ClientTokenInfo {
    return { id, name, createdAt, lastUsedAt, expiresAt: new Date(tokenExpiresAt({ createdAt, lastUsedAt }, this.idleMs)).toISOString() };
  }

  // A one-time code for `openutm pair`, kept only in this helper's memory.
  createPairingCode(): PairingCode {
    return this.pairing.createCode();
  }

  // The raw token the local CLI uses (also in the secrets file).
  localCliToken(): string {
    return this.store.localCliToken;
  }

  // Writes pending lastUsedAt changes now.
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.dirty) return;
    this.store.save();
    this.dirty = false;
  }

  // Writes what is pending and stops the timer; call when the helper stops.
  close(): void {
    try {
      this.flush();
    } catch (e) {
      this.log(`could not save when tokens were last used: ${(e as Error).message}`);
    }
  }

  private scheduleFlush(): void {
    this.dirty = true;
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      try {
        this.flush();
      } catch (e) {
        this.log(`could not save when tokens were last used: ${(e as Error).message}`);
      }
    }, this.debounceMs);
    this.flushTimer.unref();
  }

  private freshId(): string {
    const taken = new Set(this.store.clients.map((c) => c.id));
    for (let attempt = 0; attempt < 100; attempt++) {
      const id = newTokenId(this.random);
      if (!taken.has(id)) return id;
    }
    throw new OpenUtmError('INTERNAL', 'could not pick an unused token id; the random source is broken');
  }
}

// Client names come from the network: printable, trimmed, bounded.
function cleanName(name: string): string {
  const cleaned = String(name).replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, 100);
  return cleaned === '' ? 'unnamed client' : cleaned;
}
