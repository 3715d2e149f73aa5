import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import envPaths from 'env-paths';
import { OpenUtmError } from '@openutm/shared';
import { isAlive } from '../qemu-process/process-control';
import { LOCK_FILE, VMS_DIR } from '../vm-library/library-paths';
import { uninstallPlan, type Trace } from './uninstall-plan';

// What uninstall needs to know about the machine, gathered by the caller.
export interface UninstallEnv {
  libraryRoot: string;
  runtimeRoot: string;
  autostartFiles: string[];
}

// env-paths' folders for OpenUTM other than the library (which holds the VMs).
export function openUtmOsDirs(libraryRoot: string): string[] {
  const p = envPaths('OpenUTM', { suffix: '' });
  return [...new Set([p.config, p.cache, p.log, p.temp])].filter((d) => path.resolve(d) !== path.resolve(libraryRoot));
}

// The traces that exist now, in the order they will go.
export function presentTraces(env: UninstallEnv): Trace[] {
  const entries = existsSync(env.libraryRoot) ? readdirSync(env.libraryRoot) : [];
  return uninstallPlan({ ...env, osDirs: openUtmOsDirs(env.libraryRoot), libraryEntries: entries }).filter((t) => existsSync(t.path));
}

// Refuses while anything that uses these files runs: the helper (its lock names a live pid on
// this computer) or a VM (a live QEMU pid file in the runtime folder, whose sockets would go).
export function assertNothingRunning(env: UninstallEnv): void {
  const owner = readLockOwner(path.join(env.libraryRoot, LOCK_FILE));
  if (owner && owner.hostname === os.hostname() && isAlive(owner.pid)) {
    const how = process.platform === 'win32' ? `taskkill /PID ${owner.pid}` : `kill ${owner.pid}`;
    throw new OpenUtmError('CONFLICT', `the OpenUTM helper (pid ${owner.pid}) is running; quit it from its tray icon or with \`${how}\` (VMs keep running), stop the VMs, then run openutm uninstall again`);
  }
  const running = runningQemuPids(env.runtimeRoot);
  if (running.length > 0) {
    throw new OpenUtmError('CONFLICT', `${running.length} VM(s) are still running (QEMU pid ${running.join(', ')}); stop them with \`openutm stop <name>\` first, or their consoles would be lost`);
  }
}

// Removes the traces and, when no VM is left, the empty VMs folder and library root too.
// Returns what went.
export function removeTraces(env: UninstallEnv, traces: Trace[]): string[] {
  const removed: string[] = [];
  for (const t of traces) {
    try {
      rmSync(t.path, { recursive: true, force: true });
      removed.push(t.path);
    } catch (e) {
      throw new OpenUtmError('IO_ERROR', `could not remove ${t.path} (${t.what}): ${(e as Error).message}; removed so far: ${removed.join(', ') || 'nothing'}`);
    }
  }
  // Only empty folders: rmdirSync fails on anything with a VM (or a stranger's file) inside.
  for (const dir of [path.join(env.libraryRoot, VMS_DIR), env.libraryRoot, path.dirname(env.runtimeRoot)]) {
    try {
      rmdirSync(dir);
      removed.push(dir);
    } catch {
      // not empty or not there: kept
    }
  }
  return removed;
}

// The VM folders that stay.
export function keptVms(libraryRoot: string): string[] {
  try {
    return readdirSync(path.join(libraryRoot, VMS_DIR)).map((id) => path.join(libraryRoot, VMS_DIR, id));
  } catch {
    return [];
  }
}

function readLockOwner(file: string): { pid: number; hostname: string } | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; hostname?: unknown };
    return typeof v.pid === 'number' && typeof v.hostname === 'string' ? { pid: v.pid, hostname: v.hostname } : null;
  } catch {
    return null;
  }
}

function runningQemuPids(runtimeRoot: string): number[] {
  let vms: string[];
  try {
    vms = readdirSync(runtimeRoot);
  } catch {
    return [];
  }
  return vms.flatMap((id) => {
    try {
      const pid = Number(readFileSync(path.join(runtimeRoot, id, 'qemu.pid'), 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? [pid] : [];
    } catch {
      return [];
    }
  });
}
