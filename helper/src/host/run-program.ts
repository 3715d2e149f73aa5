import { execa } from 'execa';

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
  const r = await execa(file, args, {
    stdin: 'ignore',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    windowsHide: true,
    maxBuffer: MAX_OUTPUT,
    reject: false,
    stripFinalNewline: false,
  });
  if (r.exitCode !== undefined && !r.timedOut && !r.isMaxBuffer) return { exited: true, code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  const failure = r.timedOut
    ? `no answer within ${timeoutMs} ms`
    : r.code === 'ENOENT'
      ? 'not found'
      : r.isMaxBuffer
        ? `more than ${MAX_OUTPUT} bytes of output`
        : (r.originalMessage ?? r.shortMessage ?? 'it did not run');
  return { exited: false, code: null, stdout: r.stdout, stderr: r.stderr, failure };
};
