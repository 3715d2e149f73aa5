import { isAlive, sendSignal } from '../qemu-process/process-control';

// How long QEMU gets to exit on its own once the guest has powered off. QEMU's `quit` can block
// ~30 s in spice-server's wait_all_sent while a SPICE console is connected; the guest flushed its
// disks before powering off, so ending QEMU after this grace loses nothing the guest wrote.
export const POWERED_OFF_GRACE_MS = 1_000;

// Arms a SIGKILL for a QEMU whose guest has powered off, in case `quit` does not end it within
// graceMs; returns the disarm function (call it once the monitor closes).
export function killIfStillRunning(pid: number, graceMs: number): () => void {
  const timer = setTimeout(() => {
    if (isAlive(pid)) sendSignal(pid, 'SIGKILL');
  }, graceMs);
  timer.unref();
  return () => clearTimeout(timer);
}
