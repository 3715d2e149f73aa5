// What the API server needs from the token store; helper/src/auth/ implements it. The server
// never sees how tokens are stored, compared or rate-limited.
// The answer to a token in `hello`: who it is, or why it is refused with a sentence saying what
// to do (an expired token must be paired again).
export type TokenCheck = { ok: true; tokenId: string; name: string } | { ok: false; reason: 'unknown' | 'expired'; message: string };

export interface ApiAuth {
  // Constant-time; never throws; changes nothing when it refuses.
  checkToken(token: string): TokenCheck;
  // Trades a one-time pairing code for a client token. Throws OpenUtmError UNAUTHORIZED for a
  // wrong, expired or used code, RATE_LIMITED for a code cancelled by too many wrong guesses (a
  // right code is never refused for a limit), CONFLICT when no more clients may pair; each message says what to do.
  redeemPairingCode(code: string, clientName: string, remote: string): { token: string; tokenId: string };
  // Called once per revoked token; live connections of that token close at once. Returns the
  // unsubscribe function.
  onRevoked(listener: (tokenId: string) => void): () => void;
}

// Who is on the other end of an authenticated connection; handlers may use it (auth.* marks
// the caller's own token, logs name the client).
export interface CallerIdentity {
  tokenId: string;
  name: string;
  remote: string;
}
