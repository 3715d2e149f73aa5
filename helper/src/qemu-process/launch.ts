// node:child_process rather than execa: QEMU is not a program the helper runs and waits on. It
// is detached into its own session and outlives the helper, with its output going straight to
// a file descriptor, which is spawn()'s plain job; execa's promise and pipes would only hold it.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { OpenUtmError } from '@openutm/shared';

// What to run, and the file its output goes to.
export interface LaunchOptions {
  binary: string;
  args: readonly string[];
  // QEMU's stdout and stderr are appended here from its first line (error_report, -msg
  // timestamps and qemu_log all go to stderr when there is no -D).
  logFile: string;
  // Open files QEMU inherits as fd 3, 4, … (a resume's saved state, read by QEMU itself).
  passFds?: readonly number[];
}

// How a QEMU this helper launched ended.
export interface QemuExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

// A QEMU that runs: its pid, and how the caller learns that it ended.
export interface LaunchedQemu {
  pid: number;
  // Settles when QEMU exits while this helper still runs; never rejects.
  exited: Promise<QemuExit>;
  // Whether `exited` has settled, for callers that must not wait on it.
  hasExited: () => boolean;
}

// Starts QEMU detached from the helper (its own session on POSIX, no console on Windows), so a
// helper restart or upgrade never takes VMs down. QEMU itself does not fork (-daemonize), which
// lets its seccomp sandbox deny spawning and privilege changes. Resolves once the process runs;
// readiness is the caller's (QEMU's monitor accepting), since with -S the guest waits anyway.
export async function launchQemu(opts: LaunchOptions): Promise<LaunchedQemu> {
  const log = openSync(opts.logFile, 'a', 0o600);
  try {
    const child = spawn(opts.binary, opts.args, { stdio: ['ignore', log, log, ...(opts.passFds ?? [])], detached: true, windowsHide: true });
    let done = false;
    const exited = new Promise<QemuExit>((resolve) => {
      child.once('exit', (code, signal) => {
        done = true;
        resolve({ code, signal });
      });
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        done = true;
        reject(
          err.code === 'ENOENT'
            ? new OpenUtmError('QEMU_NOT_FOUND', `QEMU is not at ${opts.binary}; run \`openutm doctor\` to see what to install`)
            : new OpenUtmError('QEMU_FAILED', `cannot run ${opts.binary}: ${err.message}`),
        );
      });
      child.once('spawn', () => resolve(child.pid!));
    });
    child.unref();
    return { pid, exited, hasExited: () => done };
  } finally {
    // QEMU holds its own copy of the descriptor.
    closeSync(log);
  }
}

// A pid file holds a decimal pid and a newline; anything else means it is not ours.
export async function readPidFile(file: string): Promise<number | null> {
  try {
    const text = await readFile(file, 'utf8');
    const pid = Number.parseInt(text.trim(), 10);
    return Number.isInteger(pid) && pid > 0 && String(pid) === text.trim() ? pid : null;
  } catch {
    return null;
  }
}
