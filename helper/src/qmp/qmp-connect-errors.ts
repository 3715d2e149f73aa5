import { OpenUtmError, isOpenUtmError } from '@openutm/shared';
import type { ControlEndpoint } from '../runtime/runtime-paths';

// The longest wait between connects that found no monitor: a wait past the moment QEMU's
// monitor appears is added to every start and resume, while a failed attempt costs microseconds.
export const CONNECT_RETRY_MAX_MS = 25;

// How an endpoint is named in messages: the socket or pipe path, or host:port.
export function describeEndpoint(endpoint: ControlEndpoint): string {
  return endpoint.kind === 'tcp' ? `${endpoint.host}:${endpoint.port}` : endpoint.path;
}

// Turns a failed connect (or a connection dropped before the greeting) into a message that says
// what is probably going on with QEMU, instead of a bare errno.
export function connectFailure(endpoint: string, error: Error | null): OpenUtmError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const details = { endpoint, ...(code ? { errno: code } : {}) };
  switch (code) {
    case 'ENOENT':
      return new OpenUtmError('QMP_CLOSED', `no QMP socket at ${endpoint}: QEMU is not running or has not created its monitor yet`, details);
    case 'ECONNREFUSED':
      return new OpenUtmError('QMP_CLOSED', `nothing accepts connections at ${endpoint}: QEMU has exited or is not listening on its monitor`, details);
    case 'EACCES':
    case 'EPERM':
      return new OpenUtmError('QMP_CLOSED', `not allowed to connect to ${endpoint}: check who owns the runtime directory and its permissions`, details);
    case undefined:
      return new OpenUtmError('QMP_CLOSED', `QEMU's monitor at ${endpoint} closed the connection before greeting; QEMU may be exiting`, details);
    default:
      return new OpenUtmError('QMP_CLOSED', `could not connect to QEMU's monitor at ${endpoint}: ${error?.message ?? code}`, details);
  }
}

// The peer answered, but its first line was not a QMP greeting: something else owns the socket.
export function notQmpFailure(endpoint: string, firstLine: string): OpenUtmError {
  return new OpenUtmError(
    'QMP_CLOSED',
    `${endpoint} is not a QMP monitor: its first message was not a QMP greeting; check that QEMU was started with -qmp on this socket`,
    { endpoint, firstLine: firstLine.slice(0, 200) },
  );
}

// ENOENT / ECONNREFUSED: QEMU has not created or opened its monitor socket (yet).
export function isSocketMissing(e: unknown): boolean {
  const errno = isOpenUtmError(e) ? e.details?.errno : undefined;
  return errno === 'ENOENT' || errno === 'ECONNREFUSED';
}
