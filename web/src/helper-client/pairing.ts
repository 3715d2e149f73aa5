import { z } from 'zod';
import { OpenUtmError, ProtocolError } from '@openutm/shared';
import type { StoredToken } from './browser-storage';
import { connectionError } from './client-errors';
import { displayAddress, pairUrl } from './helper-address';

// What POST /api/pair answers on success.
const PairAnswer = z.object({ token: z.string().min(1).max(256), tokenId: z.string().min(1).max(64) });
const PairRefusal = z.object({ error: ProtocolError });

// Trades a one-time code from `openutm pair` for a client token (POST <helper>/api/pair).
// Throws OpenUtmError: UNAUTHORIZED for a wrong, used or expired code, HELPER_UNAVAILABLE when
// nothing answers, the helper's own code otherwise.
export async function redeemPairingCode(
  helperOrigin: string,
  code: string,
  clientName: string,
  fetchImpl: typeof fetch = fetch,
): Promise<StoredToken> {
  let res: Response;
  try {
    res = await fetchImpl(pairUrl(helperOrigin), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      // Sent as typed: the helper owns the code's format (case and dashes do not matter to it).
      body: JSON.stringify({ code: code.trim(), clientName }),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw connectionError('unreachable', `cannot reach the helper at ${displayAddress(helperOrigin)}: is it running?`);
  }
  const body: unknown = await res.json().catch(() => null);
  if (res.ok) {
    const answer = PairAnswer.safeParse(body);
    if (answer.success) return answer.data;
    throw connectionError('protocol', `the helper at ${displayAddress(helperOrigin)} answered the pairing request with something that is not a token`);
  }
  const refusal = PairRefusal.safeParse(body);
  if (refusal.success) throw new OpenUtmError(refusal.data.error.code, refusal.data.error.message, refusal.data.error.details);
  throw new OpenUtmError('INTERNAL', `the helper at ${displayAddress(helperOrigin)} refused pairing (HTTP ${res.status}) without saying why`);
}

// The name the helper lists this browser under (`openutm tokens`): app, browser and OS.
export function browserClientName(userAgent: string): string {
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrome\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : 'a browser';
  const os = /Windows/.test(userAgent) ? 'Windows' : /Mac OS X|Macintosh/.test(userAgent) ? 'macOS' : /Linux|X11/.test(userAgent) ? 'Linux' : null;
  return `OpenUTM web (${browser}${os === null ? '' : ` on ${os}`})`;
}
