import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { OpenUtmError, type HostOs } from '@openutm/shared';

export interface LaunchOptions {
  binary: string;
  args: readonly string[];
  hostOs: HostOs;
  pidFile: string;
  // Where QEMU's stderr goes on hosts without -daemonize (Windows); POSIX uses -D from the args.
  logFile: string;
  timeoutMs?: number;
}

const STDERR_LIMIT = 64 * 1024;

// Starts QEMU detached from the helper, so a helper restart or upgrade never takes VMs down.
// On POSIX the args carry -daemonize: the spawned process exits 0 only once every socket
// listens, which is the readiness signal (no polling). Windows has no -daemonize: the caller
// then waits for the monitor socket instead.
export async function launchQemu(opts: LaunchOptions): Promise<{ pid: number; readyByExit: boolean }> {
  return opts.hostOs === 'win32' ? launchDetachedWindows(opts) : launchDaemonized(opts);
}

async function launchDaemonized(opts: LaunchOptions): Promise<{ pid: number; readyByExit: boolean }> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const child = spawn(opts.binary, opts.args, { stdio: ['ignore', 'ignore', 'pipe'], windowsHide: true });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < STDERR_LIMIT) stderr += chunk.slice(0, STDERR_LIMIT - stderr.length);
  });
  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | Error>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(new Error(`QEMU did not finish starting within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
  if (outcome instanceof Error) {
    const enoent = (outcome as NodeJS.ErrnoException).code === 'ENOENT';
    throw new OpenUtmError(
      enoent ? 'QEMU_NOT_FOUND' : 'QEMU_FAILED',
      enoent ? `QEMU is not at ${opts.binary}; run \`openutm doctor\` to see what to install` : outcome.message,
      { stderr: stderr.trim() },
    );
  }
  if (outcome.code !== 0) {
    const text = stderr.trim() || `exit code ${outcome.code ?? outcome.signal}`;
    throw new OpenUtmError('QEMU_FAILED', `QEMU refused to start: ${lastLines(text, 5)}`, {
      stderr: text,
      exitCode: outcome.code,
    });
  }
  const pid = await readPidFile(opts.pidFile);
  if (pid === null) {
    throw new OpenUtmError('QEMU_FAILED', `QEMU started but wrote no pid to ${opts.pidFile}`);
  }
  return { pid, readyByExit: true };
}

async function launchDetachedWindows(opts: LaunchOptions): Promise<{ pid: number; readyByExit: boolean }> {
  const log = openSync(opts.logFile, 'a');
  try {
    const child = spawn(opts.binary, opts.args, { stdio: ['ignore', log, log], detached: true, windowsHide: true });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (err) => reject(new OpenUtmError('QEMU_NOT_FOUND', `cannot run ${opts.binary}: ${err.message}`)));
      child.once('spawn', () => resolve(child.pid!));
    });
    child.unref();
    return { pid, readyByExit: false };
  } finally {
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

export function lastLines(text: string, n: number): string {
  return text.split(/\r?\n/).filter((l) => l.trim() !== '').slice(-n).join('\n');
}
