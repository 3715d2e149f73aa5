// Every failure the helper reports has one of these codes; the UI and CLI branch on the code,
// people read the message. Add a code here before throwing it anywhere.
export const ERROR_CODES = {
  BAD_REQUEST: 'the request does not match the protocol',
  NOT_FOUND: 'no such VM or resource',
  CONFLICT: 'the request conflicts with the current state',
  INVALID_STATE: 'the VM is not in a state that allows this',
  CONFIG_INVALID: 'a configuration is malformed',
  CONFIG_TOO_NEW: 'a configuration was written by a newer OpenUTM',
  LIBRARY_LOCKED: 'another helper owns this VM library',
  QEMU_NOT_FOUND: 'QEMU is not installed or not found',
  QEMU_FAILED: 'QEMU refused to start or died',
  QEMU_IMG_FAILED: 'qemu-img failed',
  QMP_ERROR: 'QEMU answered a monitor command with an error',
  QMP_TIMEOUT: 'QEMU did not answer in time',
  QMP_CLOSED: 'the connection to QEMU closed',
  FIRMWARE_NOT_FOUND: 'the firmware the VM needs is not installed',
  COMPANION_NOT_FOUND: 'a program the VM needs beside QEMU (swtpm, …) is not installed',
  COMPANION_FAILED: 'a program the VM needs beside QEMU (swtpm, …) failed to start',
  GUEST_AGENT_ABSENT: 'the QEMU guest agent does not answer in the guest (not installed or not started)',
  GUEST_AGENT_FAILED: 'the guest agent refused or failed a command in the guest',
  UNSAFE_PATH: 'a path points somewhere it may not',
  IO_ERROR: 'reading or writing a file failed',
  UNTYPABLE_TEXT: 'the text holds characters the VM\'s keyboard layout has no key for',
  NO_SPACE: 'there is not enough free space on the host for this',
  CANCELLED: 'the operation was cancelled before it finished; nothing changed',
  TRY_PENDING: 'the changes of a try are waiting for a choice: keep or discard them first',
  WOULD_LOSE_DATA: 'the change would destroy data on a disk (shrinking a disk image)',
  UNAUTHORIZED: 'the client is not authenticated',
  FORBIDDEN: 'this client may not do that; only the OpenUTM app on this computer may',
  RATE_LIMITED: 'too many attempts; wait before trying again',
  HELPER_UNAVAILABLE: 'the OpenUTM helper is not running or not reachable',
  HELPER_TOO_OLD: 'the helper is older than this app and lacks what it asked for',
  INTERNAL: 'an unexpected error inside the helper',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

// An error with a stable code, a message that says what to do, and optional machine details.
export class OpenUtmError extends Error {
  override readonly name = 'OpenUtmError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isOpenUtmError(e: unknown): e is OpenUtmError {
  return e instanceof OpenUtmError;
}
