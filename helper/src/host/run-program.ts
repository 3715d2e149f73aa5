import { collectProgram } from './collect-program';

export interface ProgramOutput {
  // True when the program started and exited by itself (any exit code); false if it could not
  // start or was killed at the time limit.
  exited: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  // Why it did not exit by itself, for the doctor's report.
  failure?: string;
}

// Runs a program and collects its output; injectable so parsing can be tested without QEMU.
export type RunProgram = (file: string, args: readonly string[], timeoutMs: number) => Promise<ProgramOutput>;

const MAX_OUTPUT = 4 * 1024 * 1024;

// Runs a short-lived program with an argument array (never a shell) and a hard time limit.
// A nonzero exit is an answer, not a failure: QEMU exits 1 after printing some help texts.
export const runProgram: RunProgram = async (file, args, timeoutMs) => {
  const r = await collectProgram(file, args, { timeoutMs, maxBytes: MAX_OUTPUT });
  if (r.exitCode !== null && !r.timedOut && !r.overflowed) return { exited: true, code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  const failure = r.timedOut
    ? `no answer within ${timeoutMs} ms`
    : r.startError?.code === 'ENOENT'
      ? 'not found'
      : r.overflowed
        ? `more than ${MAX_OUTPUT} bytes of output`
        : r.startError
          ? r.startError.message
          : `it was stopped by ${r.signal ?? 'a signal'}`;
  return { exited: false, code: null, stdout: r.stdout, stderr: r.stderr, failure };
};
