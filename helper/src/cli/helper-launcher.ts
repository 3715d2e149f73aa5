// node:child_process, not execa: the helper is started detached and left running, never waited on.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { isSea } from 'node:sea';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCK_FILE, LOGS_DIR } from '../vm-library/library-paths';
import { connectionError } from '../api-client/client-errors';

// The background helper writes here; rotated once it passes LOG_ROTATE_BYTES.
export const HELPER_LOG = 'helper.log';
const LOG_ROTATE_BYTES = 5 * 1024 * 1024;

export interface LaunchOptions {
  root: string;
  port: number;
  env: NodeJS.ProcessEnv;
  // How long the new helper gets to accept connections (default 10 s).
  timeoutMs?: number;
  // The program and arguments that run `openutm serve`, and where (default: this very program).
  command?: HelperCommand;
}

// How to run the helper: argv[0] is the program.
export interface HelperCommand {
  argv: string[];
  cwd: string;
}

// The helper's log file for a library.
export function helperLogPath(root: string): string {
  return path.join(root, LOGS_DIR, HELPER_LOG);
}

// Whether something accepts TCP connections on 127.0.0.1:port right now.
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// `openutm serve` as this process was started: same Node, same loaders (tsx in development),
// without debugger or test-runner flags that would clash. It runs in the program's own folder,
// not the caller's (which would stay busy), and loaders resolve from there.
export function defaultHelperCommand(): HelperCommand {
  // The single executable is the whole program: its argv[1] is only how it was called.
  if (isSea()) return { argv: [process.execPath, 'serve'], cwd: path.dirname(process.execPath) };
  const script = process.argv[1];
  if (!script) throw new Error('cannot tell which program to run as the helper');
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--inspect') && !a.startsWith('--test'));
  const full = path.resolve(script);
  return { argv: [process.execPath, ...execArgv, full, 'serve'], cwd: path.dirname(full) };
}

// Starts `openutm serve` in the background (detached, like adb or gpg-agent do), its output
// appended to the library's logs/helper.log, and waits until it accepts connections. Returns its
// pid. When it cannot start, the error quotes the log's last lines.
export async function launchHelper(opts: LaunchOptions): Promise<number> {
  const command = opts.command ?? defaultHelperCommand();
  const [program, ...args] = command.argv;
  const log = helperLogPath(opts.root);
  const fd = openLog(log);
  let child;
  try {
    writeSync(fd, `\n--- ${new Date().toISOString()} starting the helper for the openutm CLI (pid ${process.pid}) on port ${opts.port}\n`);
    child = spawn(program!, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      cwd: command.cwd,
      // The library and port spelled out, so a relative OPENUTM_HOME means the same in the child.
      env: { ...opts.env, OPENUTM_HOME: opts.root, OPENUTM_PORT: String(opts.port) },
      windowsHide: true,
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  let exit: { code: number | null; signal: string | null } | null = null;
  let spawnError: Error | null = null;
  child.once('exit', (code, signal) => (exit = { code, signal }));
  child.once('error', (e) => (spawnError = e));
  child.unref();

  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  try {
    while (Date.now() < deadline) {
      if (await isListening(opts.port)) return pid ?? 0;
      if (spawnError) throw failed(`could not run ${program}: ${(spawnError as Error).message}`, log, pid);
      // A helper that exits may have lost a race to another one starting now; wait for that one.
      if (exit && !otherHelperStarting(opts.root, pid)) {
        const how = exit as { code: number | null; signal: string | null };
        throw failed(`the helper stopped at once (${how.signal ?? `exit code ${how.code}`})`, log, pid);
      }
      await sleep(100);
    }
  } finally {
    child.removeAllListeners();
  }
  throw failed(`the helper${pid ? ` (pid ${pid})` : ''} did not accept connections on port ${opts.port} within ${+((opts.timeoutMs ?? 10_000) / 1000).toFixed(1)} s; it may still be starting`, log, pid);
}

// The last lines of a log, for error messages.
export function logTail(file: string, lines = 15): string[] {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines);
  } catch {
    return [];
  }
}

function failed(what: string, log: string, pid: number | undefined): Error {
  const tail = logTail(log);
  const quoted = tail.length > 0 ? `; the last lines of ${log}:\n${tail.map((l) => `  │ ${l}`).join('\n')}` : `; see ${log}`;
  return connectionError('unreachable', `${what}${quoted}`, { log, ...(pid !== undefined && { pid }) });
}

// Whether the library's lock names a live helper other than the one we started.
function otherHelperStarting(root: string, ours: number | undefined): boolean {
  try {
    const owner = JSON.parse(readFileSync(path.join(root, LOCK_FILE), 'utf8')) as { pid?: unknown };
    if (typeof owner.pid !== 'number' || owner.pid === ours) return false;
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Opens the log for appending (0600: it may name VMs and paths), rotating a big one first.
function openLog(file: string): number {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    if (statSync(file).size > LOG_ROTATE_BYTES) renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
  return openSync(file, 'a', 0o600);
}
