import { OpenUtmError, isOpenUtmError } from '@openutm/shared';

// Why talking to the helper failed, as a machine-readable detail; the CLI branches on it.
export type ConnectionProblem = 'unreachable' | 'refused' | 'not-openutm' | 'closed' | 'timeout' | 'protocol';

// A helper that is not there or stopped answering is HELPER_UNAVAILABLE; details.problem says how.
export function connectionError(problem: ConnectionProblem, message: string, details: Record<string, unknown> = {}): OpenUtmError {
  const code = problem === 'unreachable' || problem === 'closed' || problem === 'timeout' ? 'HELPER_UNAVAILABLE' : 'IO_ERROR';
  return new OpenUtmError(code, message, { ...details, problem });
}

// True when nothing listens at the helper's address, so starting a helper would help.
export function isHelperUnreachable(e: unknown): boolean {
  return isOpenUtmError(e) && e.details?.problem === 'unreachable';
}

// The problem a connection error carries, if it is one.
export function connectionProblem(e: unknown): ConnectionProblem | null {
  if (!isOpenUtmError(e)) return null;
  const p = e.details?.problem;
  return typeof p === 'string' ? (p as ConnectionProblem) : null;
}
