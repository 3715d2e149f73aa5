import { setTimeout as sleep } from 'node:timers/promises';

// Signal 0 checks existence without touching the process; EPERM means it exists but is not ours.
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

// After QEMU's monitor socket closes the process is already exiting; this only bridges the few
// milliseconds until the kernel has reaped it, and escalates to SIGKILL if it lingers.
export async function waitForExit(pid: number, graceMs = 5_000): Promise<'exited' | 'killed'> {
  const deadline = Date.now() + graceMs;
  let delay = 2;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      sendSignal(pid, 'SIGKILL');
      await sleep(50);
      return 'killed';
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
  return 'exited';
}
