// What the API server needs from the token store; helper/src/auth/ implements it. The server
// never sees how tokens are stored, compared or rate-limited.
export interface ApiAuth {
  // Constant-time; never throws. null for unknown or revoked tokens.
  verifyToken(token: string): { tokenId: string; name: string } | null;
  // Trades a one-time pairing code for a client token. Throws OpenUtmError UNAUTHORIZED for a
  // wrong, expired or used code, RATE_LIMITED (details.retryAfterMs) when attempts are limited,
  // CONFLICT when no more clients may pair; each message says what to do.
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
