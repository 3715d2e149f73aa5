import { OpenUtmError, isOpenUtmError } from '@openutm/shared';

// How talking to the helper failed, beyond the protocol's error code (as the CLI's client says it).
export type ConnectionProblem = 'unreachable' | 'closed' | 'timeout' | 'protocol';

// A failure on this side of the socket: the helper is not there, went away, did not answer in
// time, or said something the protocol does not allow.
export function connectionError(problem: ConnectionProblem, message: string): OpenUtmError {
  return new OpenUtmError(problem === 'protocol' ? 'INTERNAL' : 'HELPER_UNAVAILABLE', message, { problem });
}

// A sentence for people from anything a call rejected with.
export function errorMessage(e: unknown): string {
  if (isOpenUtmError(e)) return e.message;
  return e instanceof Error ? e.message : String(e);
}
