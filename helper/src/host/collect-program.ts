import { spawn } from 'node:child_process';

// node:child_process rather than execa for the programs the helper runs at start (QEMU's version
// and help texts, the accelerator probe): they need only an argument array, a time limit, a size
// limit and the output, and execa then loads only when a disk image or autostart needs it.

export interface CollectOptions {
  timeoutMs: number;
  // Output beyond this (stdout and stderr together) ends the program: a runaway is not kept.
  maxBytes: number;
  // Sees stdout as it arrives; may end the program once it has what it needs.
  onStdout?: (chunk: Buffer, kill: () => void) => void;
}

export interface Collected {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  overflowed: boolean;
  // Set when the program could not start (ENOENT, EACCES, …).
  startError?: NodeJS.ErrnoException;
}

export function collectProgram(file: string, args: readonly string[], opts: CollectOptions): Promise<Collected> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let timedOut = false;
    let overflowed = false;
    let startError: NodeJS.ErrnoException | undefined;
    const child = spawn(file, [...args], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, opts.timeoutMs);
    const take = (into: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > opts.maxBytes) {
        overflowed = true;
        kill();
        return;
      }
      into.push(chunk);
    };
    child.stdout.on('data', take(out));
    child.stderr.on('data', take(err));
    if (opts.onStdout) child.stdout.on('data', (chunk: Buffer) => opts.onStdout!(chunk, kill));
    child.once('error', (e: NodeJS.ErrnoException) => {
      startError = e;
    });
    // 'close' comes after 'exit' and after both pipes ended, so no output is lost; it also comes
    // (with code null) when the program never started.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        exitCode: startError ? null : code,
        signal: startError ? null : signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        overflowed,
        ...(startError ? { startError } : {}),
      });
    });
  });
}
