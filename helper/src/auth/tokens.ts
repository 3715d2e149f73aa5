import { createHash, randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';

// Where randomness comes from; injected so tests can make codes and tokens predictable.
export type RandomSource = (size: number) => Buffer;

// The real source: the operating system's CSPRNG.
export const secureRandom: RandomSource = (size) => nodeRandomBytes(size);

// 32 bytes = 256 bits, as DESIGN.md's security model asks for.
export const TOKEN_BYTES = 32;

// A bearer token: 256 random bits, base64url (43 characters, safe in JSON, URLs and headers).
export function newToken(random: RandomSource = secureRandom): string {
  return random(TOKEN_BYTES).toString('base64url');
}

// A short public name for a token (shown by `openutm tokens`, used to revoke it); not a secret.
export function newTokenId(random: RandomSource = secureRandom): string {
  return random(6).toString('hex');
}

// What the secrets file keeps of a client token: its SHA-256, hex. A stolen file yields no
// usable token, and comparing digests gives equal-length buffers for timingSafeEqual.
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

// Compares a digest with a stored hex digest in constant time; a malformed stored value is unequal.
export function digestEquals(digest: Buffer, storedHex: string): boolean {
  const stored = Buffer.from(storedHex, 'hex');
  if (stored.length !== digest.length) return false;
  return timingSafeEqual(digest, stored);
}
