import type { QmpShutdownData } from './qmp-messages';

// The QMP client's options and what it reports, apart from the client itself (qmp-client.ts).

// Limits, each overridable per client; the defaults suit a local QEMU.
export const QMP_DEFAULTS = {
  // Deadline for socket connect + greeting + qmp_capabilities together (and retries, if any).
  timeoutMs: 5_000,
  // Per command unless the call says otherwise.
  commandTimeoutMs: 10_000,
  // QEMU's own JSON parser stops at 64 MiB; real replies are far smaller than this.
  maxLineBytes: 16 * 1024 * 1024,
  // How long close() waits for the peer to finish the connection before cutting it.
  closeGraceMs: 2_000,
} as const;

export type Limits = { -readonly [K in keyof typeof QMP_DEFAULTS]: number };

// Options for QmpClient.connect; limits default to QMP_DEFAULTS. `retry` keeps trying while the
// socket is missing or refusing (a QEMU that is still starting) until timeoutMs runs out.
export type QmpConnectOptions = Partial<Limits> & {
  retry?: boolean;
  // Once this settles (QEMU exited, say), no more tries: the last error is thrown.
  retryUntil?: Promise<unknown>;
};

// Per-call options for execute().
export interface QmpExecuteOptions {
  timeoutMs?: number;
}

// Why the monitor connection ended, so the caller can tell "we asked QEMU to quit" from "QEMU
// died": 'quit' once a quit command was sent, 'client-closed' after close(), 'socket-error' when
// the socket failed, 'peer-closed' when QEMU hung up unasked. `shutdown` is the data of the last
// SHUTDOWN event seen, if any (a guest power-off also ends in the monitor closing).
export interface QmpCloseInfo {
  reason: 'quit' | 'client-closed' | 'socket-error' | 'peer-closed';
  message: string;
  error?: Error;
  shutdown: QmpShutdownData | null;
}

// A line from QEMU that was not used: reported to listeners, never thrown.
export interface QmpProtocolError {
  kind: 'not-json' | 'unknown-shape' | 'line-too-long' | 'unexpected-reply' | 'unexpected-greeting';
  message: string;
  // The start of the offending line, for logs.
  line?: string;
}
