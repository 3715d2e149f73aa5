import { loadExeca } from '../host/load-execa';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OpenUtmError, type HostOs } from '@openutm/shared';
import { isOurDesktopEntry, desktopEntry, xdgAutostartFile } from './xdg-autostart';
import { bootoutArgv, isOurLaunchAgent, launchAgentFile, launchAgentPlist } from './launch-agent';
import { RUN_KEY, RUN_VALUE, parseRegQuery, regAddArgv, regDeleteArgv, regQueryArgv, runValueData } from './run-key';
import type { LaunchCommand } from './launch-command';
import { isOurLauncher, launcherCommand, launcherScript, windowsLauncherFile } from './windows-launcher';

// The outcome of a program run (reg.exe, launchctl).
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

// The host as the autostart writers see it; tests pass a temp home.
export interface AutostartHost {
  os: HostOs;
  home: string;
  env: Record<string, string | undefined>;
  uid: number | null;
  // Where a LaunchAgent sends the helper's output.
  logFile: string;
  run: (argv: string[]) => Promise<RunResult>;
}

export interface AutostartStatus {
  enabled: boolean;
  // Registered with exactly the command of the running program (false: moved or another copy).
  current: boolean;
  // The file or registry value that holds it.
  where: string;
}

export function currentAutostartHost(logFile: string, env: NodeJS.ProcessEnv = process.env): AutostartHost {
  return {
    os: process.platform as HostOs,
    home: os.homedir(),
    env,
    uid: typeof process.getuid === 'function' ? process.getuid() : null,
    logFile,
    run: runProgram,
  };
}

// Where each OS keeps the registration: a file, or a registry value.
export function autostartWhere(host: AutostartHost): string {
  if (host.os === 'linux') return xdgAutostartFile(host.home, host.env);
  if (host.os === 'darwin') return launchAgentFile(host.home);
  return `${RUN_KEY}\\${RUN_VALUE}`;
}

// The files start at login writes: the entry (Linux, macOS), or the hidden launcher the Run
// value names (Windows). Uninstall lists them.
export function autostartFiles(host: AutostartHost): string[] {
  return [host.os === 'win32' ? windowsLauncherFile(host.home, host.env) : autostartWhere(host)];
}

// Whether any OpenUTM registration exists, whichever copy of OpenUTM it starts.
export async function autostartRegistered(host: AutostartHost): Promise<boolean> {
  if (host.os === 'win32') {
    const q = await host.run(regQueryArgv());
    return q.code === 0 && parseRegQuery(q.stdout) !== null;
  }
  return (await readIfExists(autostartWhere(host))) !== null;
}

export async function autostartStatus(host: AutostartHost, command: LaunchCommand): Promise<AutostartStatus> {
  const where = autostartWhere(host);
  if (host.os === 'win32') {
    const q = await host.run(regQueryArgv());
    const data = q.code === 0 ? parseRegQuery(q.stdout) : null;
    // Current only when the value starts our launcher and the launcher starts this program.
    const file = windowsLauncherFile(host.home, host.env);
    const current = data === runValueData(launcherCommand(file, host.env)) && (await readIfExists(file)) === launcherScript(command);
    return { enabled: data !== null, current, where };
  }
  const text = await readIfExists(where);
  const expected = host.os === 'linux' ? desktopEntry(command) : launchAgentPlist(command, host.logFile);
  return { enabled: text !== null, current: text === expected, where };
}

// Registers the running program to start at login. Idempotent: an entry that is already
// current is left untouched (changed: false). Takes effect at the next login; nothing starts now.
export async function enableAutostart(host: AutostartHost, command: LaunchCommand): Promise<AutostartStatus & { changed: boolean }> {
  const before = await autostartStatus(host, command);
  if (before.current) return { ...before, changed: false };
  if (host.os === 'win32') {
    // The launcher first: a Run value naming a missing file would show a WSH error at sign-in.
    const file = windowsLauncherFile(host.home, host.env);
    const existing = await readIfExists(file);
    if (existing !== null && !isOurLauncher(existing)) {
      throw new OpenUtmError('CONFLICT', `${file} exists and was not written by OpenUTM; move it away and try again`);
    }
    await writeAtomic(file, launcherScript(command));
    await mustRun(host, regAddArgv(launcherCommand(file, host.env)), 'register OpenUTM in the Run key');
  } else {
    const existing = await readIfExists(before.where);
    if (existing !== null && !isOurs(host.os, existing)) {
      throw new OpenUtmError('CONFLICT', `${before.where} exists and was not written by OpenUTM; move it away and try again`);
    }
    const text = host.os === 'linux' ? desktopEntry(command) : launchAgentPlist(command, host.logFile);
    await writeAtomic(before.where, text);
  }
  return { ...(await autostartStatus(host, command)), changed: true };
}

// Removes the registration; nothing to remove is not an error (removed: false). A helper
// running now keeps running.
export async function disableAutostart(host: AutostartHost): Promise<{ removed: boolean; where: string }> {
  const where = autostartWhere(host);
  if (host.os === 'win32') {
    const registered = await autostartRegistered(host);
    if (registered) await mustRun(host, regDeleteArgv(), 'remove OpenUTM from the Run key');
    // The value goes first, so a launcher that cannot be removed never leaves a dangling value.
    const file = windowsLauncherFile(host.home, host.env);
    const launcher = await readIfExists(file);
    if (launcher !== null && isOurLauncher(launcher)) await removeFile(file);
    return { removed: registered || (launcher !== null && isOurLauncher(launcher)), where };
  }
  const existing = await readIfExists(where);
  if (existing === null) return { removed: false, where };
  if (!isOurs(host.os, existing)) {
    throw new OpenUtmError('CONFLICT', `${where} was not written by OpenUTM, so it is left in place; remove it yourself if it is not wanted`);
  }
  await removeFile(where);
  return { removed: true, where };
}

// For uninstall on macOS: also drop the agent from the current login session. The helper is
// already stopped then, so this only forgets the job; "not loaded" is fine.
export async function unloadLaunchAgent(host: AutostartHost): Promise<void> {
  if (host.os !== 'darwin' || host.uid === null) return;
  await host.run(bootoutArgv(host.uid));
}

function isOurs(hostOs: HostOs, text: string): boolean {
  return hostOs === 'linux' ? isOurDesktopEntry(text) : isOurLaunchAgent(text);
}

async function mustRun(host: AutostartHost, argv: string[], what: string): Promise<void> {
  const r = await host.run(argv);
  if (r.code !== 0) {
    throw new OpenUtmError('IO_ERROR', `could not ${what}: ${argv[0]} exited with code ${r.code}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''}`);
  }
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new OpenUtmError('IO_ERROR', `could not read ${file}: ${(e as Error).message}`);
  }
}

async function removeFile(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new OpenUtmError('IO_ERROR', `could not remove ${file}: ${(e as Error).message}`);
  }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, file);
  } catch (e) {
    throw new OpenUtmError('IO_ERROR', `could not write ${file}: ${(e as Error).message}; check that the folder is writable`);
  }
}

// reg.exe and friends: short-lived, waited on. A program that cannot start reads as exit 127,
// as a shell would say, with the reason in stderr.
async function runProgram(argv: string[]): Promise<RunResult> {
  const { execa } = await loadExeca();
  const r = await execa(argv[0]!, argv.slice(1), { windowsHide: true, reject: false, stdin: 'ignore', stripFinalNewline: false, timeout: 60_000 });
  if (r.exitCode !== undefined) return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  return { code: 127, stdout: r.stdout, stderr: r.stderr || (r.originalMessage ?? r.shortMessage ?? 'it did not run') };
}
