import { readFile, rm, open } from 'node:fs/promises';
import path from 'node:path';
import { CrashInfo } from '@openutm/shared';
import { writeFileAtomic } from '../vm-library/atomic-write';

const TAIL_BYTES = 16 * 1024;
export const CRASH_FILE = 'last-crash.json';

// The end of a log file, as lines; logs can be large and only the end explains a crash.
export async function tailLines(file: string, maxLines: number): Promise<string[]> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    const lines = buf.toString('utf8').replace(/\r/g, '').split('\n');
    if (start > 0) lines.shift();
    return lines.filter((l) => l.trim() !== '').slice(-maxLines);
  } finally {
    await handle.close();
  }
}

// Keeps the crash with the VM (not in the runtime dir), so the UI can explain it after a reboot.
export async function saveCrash(logsDir: string, crash: CrashInfo): Promise<void> {
  await writeFileAtomic(path.join(logsDir, CRASH_FILE), JSON.stringify(crash, null, 2) + '\n');
}

export async function loadCrash(logsDir: string): Promise<CrashInfo | null> {
  try {
    return CrashInfo.parse(JSON.parse(await readFile(path.join(logsDir, CRASH_FILE), 'utf8')));
  } catch {
    return null;
  }
}

export async function clearCrash(logsDir: string): Promise<void> {
  await rm(path.join(logsDir, CRASH_FILE), { force: true });
}

// How many lines of each log a crash record keeps for the UI.
const CRASH_TAIL_LINES = 30;

// A QEMU that exited without being asked to: its reason and the end of both its logs.
export async function crashFromExit(reason: string, logs: { qemuLog: string; serialLog: string }): Promise<CrashInfo> {
  const qemu = await tailLines(logs.qemuLog, CRASH_TAIL_LINES);
  const serial = await tailLines(logs.serialLog, CRASH_TAIL_LINES);
  return { at: new Date().toISOString(), exitCode: null, signal: null, reason, logTail: [...qemu, ...serial.map((l) => `serial: ${l}`)] };
}

// A QEMU that is alive but whose monitor does not answer: left running (it may only be slow).
// onPipe: the monitor is a Windows named pipe, which QEMU serves to the first helper only.
export async function unresponsiveQemu(pid: number, qemuLog: string, onPipe = false): Promise<CrashInfo> {
  const reason = onPipe
    ? `QEMU (pid ${pid}) is alive, but its monitor is a named pipe that QEMU serves only to the helper that started it, so this helper cannot take it over; it was left running (shut the guest down from inside, or end it with \`taskkill /PID ${pid} /F\`), then start it again`
    : `QEMU (pid ${pid}) is alive but its monitor does not answer; it was left running (end it with \`kill ${pid}\`)`;
  return {
    at: new Date().toISOString(),
    exitCode: null,
    signal: null,
    reason,
    logTail: await tailLines(qemuLog, CRASH_TAIL_LINES),
  };
}
