import { execFile } from 'node:child_process';

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
export const runProgram: RunProgram = (file, args, timeoutMs) =>
  new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', windowsHide: true, maxBuffer: MAX_OUTPUT, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ exited: true, code: 0, stdout, stderr });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
        if (typeof e.code === 'number') return resolve({ exited: true, code: e.code, stdout, stderr });
        const failure = e.killed ? `no answer within ${timeoutMs} ms` : e.code === 'ENOENT' ? 'not found' : e.message;
        resolve({ exited: false, code: null, stdout, stderr, failure });
      },
    );
  });
