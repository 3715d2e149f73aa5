// A process a VM needs beside QEMU (swtpm now; virtiofsd, a WebDAV server later), launched and
// ended the same way for every kind: detached like QEMU, so a helper restart leaves it running;
// its pid recorded in the VM's runtime dir, its output in a log beside QEMU's.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OpenUtmError } from '@openutm/shared';
import { tailLines } from '../vm-service/crash-log';
import { isAlive, sendSignal, waitForExit } from '../qemu-process/process-control';
import { CompanionRecord } from './companion-record';

// What differs between companions: how to run one and how to tell it is ready to serve QEMU.
export interface CompanionSpec {
  // Short and file-name safe: names the record and the log in the runtime dir ("swtpm").
  name: string;
  binary: string;
  args: readonly string[];
  cwd: string;
  // The VM's runtime dir: the record and the log go there.
  runtimeDir: string;
  // Puts in place what the companion needs before it runs (its state folder, …).
  prepare?: () => Promise<void>;
  // True once QEMU may connect (a socket exists, a port accepts, …).
  ready: () => Promise<boolean>;
  // Default 10 s.
  readyTimeoutMs?: number;
}

export interface RunningCompanion {
  name: string;
  pid: number;
}

const RECORD_SUFFIX = '.companion.json';
const STOP_GRACE_MS = 5_000;
const DEFAULT_READY_TIMEOUT_MS = 10_000;

export function companionLogFile(runtimeDir: string, name: string): string {
  return path.join(runtimeDir, `${name}.log`);
}

function recordFile(runtimeDir: string, name: string): string {
  return path.join(runtimeDir, `${name}${RECORD_SUFFIX}`);
}

// Spawns the companion and waits until it is ready; if it is not, it is killed and the error
// carries the end of its log.
export async function startCompanion(spec: CompanionSpec): Promise<RunningCompanion> {
  await spec.prepare?.();
  const log = openSync(companionLogFile(spec.runtimeDir, spec.name), 'a', 0o600);
  let pid: number;
  // Set by the child's exit event, which may come while readiness is polled.
  const early: { exit: string | null } = { exit: null };
  try {
    // node:child_process rather than execa: the helper never waits on this process, which must
    // outlive it (detached, unref'd, its output straight into the log file).
    const child = spawn(spec.binary, spec.args, { cwd: spec.cwd, stdio: ['ignore', log, log], detached: true, windowsHide: true });
    pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (err) => reject(new OpenUtmError('COMPANION_NOT_FOUND', `cannot run ${spec.binary}: ${err.message}; \`openutm doctor\` says what to install`)));
      child.once('spawn', () => resolve(child.pid!));
    });
    child.once('exit', (code, signal) => {
      early.exit = String(code ?? signal);
    });
    child.unref();
  } finally {
    closeSync(log);
  }
  await writeFile(recordFile(spec.runtimeDir, spec.name), JSON.stringify({ pid, binary: spec.binary } satisfies CompanionRecord), { mode: 0o600 });
  const readyTimeoutMs = spec.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const deadline = Date.now() + readyTimeoutMs;
  let delay = 5;
  while (!(await spec.ready())) {
    if (early.exit !== null || Date.now() > deadline) {
      const what = early.exit === null ? `was not ready within ${Math.ceil(readyTimeoutMs / 1000)} s` : `exited (${early.exit})`;
      if (early.exit === null) await stopCompanion(spec.runtimeDir, spec.name);
      const tail = (await tailLines(companionLogFile(spec.runtimeDir, spec.name), 5)).join('\n');
      throw new OpenUtmError('COMPANION_FAILED', `${spec.name} ${what}; the VM was not started${tail ? `: ${tail}` : ''}`, { log: tail });
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
  return { name: spec.name, pid };
}

// The companions of a VM that still run, found from their records: what a restarted helper
// re-attaches to. A record whose process is gone, or is now some other program, does not count.
export async function findCompanions(runtimeDir: string): Promise<RunningCompanion[]> {
  const found: RunningCompanion[] = [];
  for (const name of await recordedCompanions(runtimeDir)) {
    const record = await readRecord(runtimeDir, name);
    if (record && (await isSameProgram(record))) found.push({ name, pid: record.pid });
  }
  return found;
}

// Ends one companion (SIGTERM, SIGKILL after a grace period) and drops its record.
export async function stopCompanion(runtimeDir: string, name: string): Promise<void> {
  const record = await readRecord(runtimeDir, name);
  if (record && (await isSameProgram(record))) {
    sendSignal(record.pid, 'SIGTERM');
    await waitForExit(record.pid, STOP_GRACE_MS);
  }
  await rm(recordFile(runtimeDir, name), { force: true });
}

// Ends every companion recorded in the runtime dir: when the VM ends, and on a failed start.
export async function stopCompanions(runtimeDir: string): Promise<void> {
  await Promise.all((await recordedCompanions(runtimeDir)).map((name) => stopCompanion(runtimeDir, name)));
}

// The names of the companions the runtime dir has records of, running or not.
export async function recordedCompanions(runtimeDir: string): Promise<string[]> {
  const files = await readdir(runtimeDir).catch(() => [] as string[]);
  return files.filter((n) => n.endsWith(RECORD_SUFFIX)).map((n) => n.slice(0, -RECORD_SUFFIX.length));
}

async function readRecord(runtimeDir: string, name: string): Promise<CompanionRecord | null> {
  try {
    const parsed = CompanionRecord.safeParse(JSON.parse(await readFile(recordFile(runtimeDir, name), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

// A pid may have been reused since the record was written: on Linux the process's own command
// line must still name the binary; elsewhere being alive is all that can be checked cheaply.
async function isSameProgram(record: CompanionRecord): Promise<boolean> {
  if (!isAlive(record.pid)) return false;
  if (process.platform !== 'linux') return true;
  const cmdline = await readFile(`/proc/${record.pid}/cmdline`, 'utf8').catch(() => null);
  return cmdline !== null && cmdline.split('\0')[0] === record.binary;
}
