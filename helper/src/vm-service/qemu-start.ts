import { setTimeout as sleep } from 'node:timers/promises';
import { OpenUtmError, isOpenUtmError } from '@openutm/shared';
import { QmpClient } from '../qmp/qmp-client';
import type { LaunchedQemu, QemuExit } from '../qemu-process/launch';
import type { ControlEndpoint } from '../runtime/runtime-paths';
import { tailLines } from './crash-log';

// How many of QEMU's last log lines an error carries (the MSR assertion takes two).
const ERROR_LINES = 5;
// A QEMU whose monitor went away during start is usually exiting: wait this long for it to, so
// the error can carry its last words rather than "the monitor closed".
const EXIT_GRACE_MS = 2_000;

// QEMU is ready once its monitor accepts (it runs paused under -S). A QEMU that exits first
// ends the wait at once with its own words instead of a connection timeout, and nothing keeps
// trying after QEMU is gone.
export async function connectWhenReady(endpoint: ControlEndpoint, launched: LaunchedQemu, logFile: string, timeoutMs: number): Promise<QmpClient> {
  if (launched.hasExited()) throw await qemuFailed(await launched.exited, logFile);
  try {
    return await QmpClient.connect(endpoint, { timeoutMs, retry: true, retryUntil: launched.exited });
  } catch (e) {
    if (launched.hasExited()) throw await qemuFailed(await launched.exited, logFile);
    throw e;
  }
}

// The error a failed start reports: when QEMU has exited (or is exiting), QEMU_FAILED with the
// last lines of its log, whatever step noticed first; otherwise the step's own error.
export async function explainStartFailure(cause: unknown, launched: LaunchedQemu | null, logFile: string): Promise<unknown> {
  if (launched === null) return cause;
  if (isOpenUtmError(cause) && cause.code === 'QEMU_FAILED' && cause.details && 'logTail' in cause.details) return cause;
  const exit = await Promise.race([launched.exited, sleep(EXIT_GRACE_MS).then(() => null)]);
  return exit ? qemuFailed(exit, logFile) : cause;
}

// QEMU_FAILED with how QEMU ended and what it said last.
export async function qemuFailed(exit: QemuExit, logFile: string): Promise<OpenUtmError> {
  const tail = (await tailLines(logFile, ERROR_LINES)).map(withoutTimestamp);
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const message =
    tail.length > 0
      ? `QEMU ${how} while starting. It said:\n${tail.join('\n')}`
      : `QEMU ${how} while starting and wrote nothing to its log ${logFile}`;
  return new OpenUtmError('QEMU_FAILED', message, { exitCode: exit.code, signal: exit.signal, logTail: tail, logFile });
}

// `-msg timestamp=on` prefixes each line with an ISO time, which only crowds an error message.
function withoutTimestamp(line: string): string {
  return line.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z /, '');
}
