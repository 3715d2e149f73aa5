import type { ZodError } from 'zod';
import { isOpenUtmError, type ProtocolError } from '@openutm/shared';

const MAX_ISSUES = 20;
const MAX_TEXT = 200;

// Every failure leaves the helper as a protocol error with a code. OpenUtmErrors say what to
// do and keep their code; anything else is a bug, so the client gets a generic INTERNAL and the
// details go to the helper's log only (they may hold paths or stack traces).
export function toProtocolError(e: unknown, log: (line: string) => void, context: string): ProtocolError {
  if (isOpenUtmError(e)) return e.toJSON();
  log(`internal error in ${context}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return { code: 'INTERNAL', message: `the helper hit an unexpected error while handling ${context}; its log has the details` };
}

// A BAD_REQUEST naming which fields were wrong (zod issue paths), bounded in size: the input
// may be a megabyte of junk and none of it needs to come back.
export function badParams(method: string, error: ZodError): ProtocolError {
  const issues = error.issues.slice(0, MAX_ISSUES).map((i) => ({
    path: i.path.slice(0, 20).map((p) => (typeof p === 'string' ? clip(p) : p)).join('.'),
    message: clip(i.message),
  }));
  const first = issues[0];
  const where = first ? `${first.path === '' ? 'params' : first.path}: ${first.message}` : 'they do not match';
  return {
    code: 'BAD_REQUEST',
    message: `the params of ${method} are not valid (${where}); see details.issues`,
    details: { issues, more: Math.max(0, error.issues.length - MAX_ISSUES) },
  };
}

// A BAD_REQUEST for a frame that is not a request at all.
export function badFrame(message: string): ProtocolError {
  return { code: 'BAD_REQUEST', message };
}

function clip(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
}
