import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ErrorCode } from '@openutm/shared';
import type { ApiAuth } from './api-auth';
import { replyJson } from './http-replies';
import { toProtocolError } from './protocol-errors';

// A pairing request is two short strings; anything bigger is not one.
export const MAX_PAIR_BODY_BYTES = 4096;

const PairRequest = z.object({
  code: z.string().min(1).max(128),
  clientName: z.string().trim().min(1).max(100),
});

// How auth's refusals read over HTTP: a wrong code, too many attempts (Retry-After from
// details.retryAfterMs), or too many paired clients already.
const STATUS: Partial<Record<ErrorCode, number>> = { BAD_REQUEST: 400, UNAUTHORIZED: 401, RATE_LIMITED: 429, CONFLICT: 409 };

// POST /api/pair: trades a one-time code (from `openutm pair`) for a client token. The server
// has already checked Host and that Origin is allowlisted; the hosted app calls this across
// origins, so allowlisted origins get CORS (and Chrome's private-network preflight) answers.
export async function handlePair(req: IncomingMessage, res: ServerResponse, origin: string, auth: ApiAuth, log: (line: string) => void): Promise<void> {
  const cors = { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
  const fail = (status: number, code: ErrorCode, message: string, extra: Record<string, string> = {}) =>
    replyJson(res, status, { error: { code, message } }, { ...cors, ...extra });

  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      ...cors,
      'Access-Control-Allow-Methods': 'POST',
      'Access-Control-Allow-Headers': 'Content-Type',
      'Access-Control-Allow-Private-Network': 'true',
      'Access-Control-Max-Age': '600',
      'Cache-Control': 'no-store',
    });
    res.end();
    return;
  }
  if (req.method !== 'POST') return fail(405, 'BAD_REQUEST', 'pairing takes a POST', { Allow: 'POST, OPTIONS' });
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return fail(415, 'BAD_REQUEST', 'send the pairing request as application/json');
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_PAIR_BODY_BYTES) {
    return fail(413, 'BAD_REQUEST', `a pairing request is at most ${MAX_PAIR_BODY_BYTES} bytes`, { Connection: 'close' });
  }
  const body = await readBody(req, MAX_PAIR_BODY_BYTES);
  if (body === 'aborted') return;
  if (body === 'too-big') {
    return fail(413, 'BAD_REQUEST', `a pairing request is at most ${MAX_PAIR_BODY_BYTES} bytes`, { Connection: 'close' });
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return fail(400, 'BAD_REQUEST', 'the body is not JSON; send {"code": "…", "clientName": "…"}');
  }
  const parsed = PairRequest.safeParse(json);
  if (!parsed.success) return fail(400, 'BAD_REQUEST', 'send {"code": "…", "clientName": "…"} (both non-empty strings)');
  try {
    const { token, tokenId } = auth.redeemPairingCode(parsed.data.code, parsed.data.clientName, req.socket.remoteAddress ?? 'unknown');
    replyJson(res, 200, { token, tokenId }, cors);
  } catch (e) {
    const error = toProtocolError(e, log, 'pairing');
    const retry = error.details?.retryAfterMs;
    const extra: Record<string, string> = typeof retry === 'number' ? { 'Retry-After': String(Math.ceil(retry / 1000)) } : {};
    fail(STATUS[error.code] ?? 500, error.code, error.message, extra);
  }
}

// The body, or why there is none; stops buffering past the limit.
function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too-big' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (v: Buffer | 'too-big' | 'aborted') => {
      if (done) return;
      done = true;
      resolve(v);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        finish('too-big');
      } else chunks.push(chunk);
    });
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('error', () => finish('aborted'));
    req.on('close', () => finish('aborted'));
  });
}
