import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../../src/qemu-process/process-control';

// The pid of the helper that owns a library now, from its lock file (null when none holds it).
export function libraryHelperPid(home: string): number | null {
  try {
    return (JSON.parse(readFileSync(path.join(home, '.lock'), 'utf8')) as { pid: number }).pid;
  } catch {
    return null;
  }
}

// Ends the helper a CLI test started in the background (its VMs keep running unless killed first).
export async function stopLibraryHelper(home: string): Promise<void> {
  const pid = libraryHelperPid(home);
  if (pid === null || !isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  while (isAlive(pid)) await sleep(50);
}
