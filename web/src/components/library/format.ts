import type { VmConfig, VmStatus } from '@openutm/shared';
import { formatMiB } from '../format/units';

// Sizes read in one unit system everywhere (MiB/GiB, see format/units).
export { formatMiB };

// "2 CPUs · 4 GiB memory · 32 GiB disk"
export function formatResources(config: VmConfig): string {
  const { cpus, memoryMiB } = config.system;
  const disk = config.disks.reduce((sum, d) => sum + d.sizeMiB, 0);
  return [`${cpus} ${cpus === 1 ? 'CPU' : 'CPUs'}`, `${formatMiB(memoryMiB)} memory`, disk > 0 ? `${formatMiB(disk)} disk` : 'no disk'].join(' · ');
}

// QEMU's ShutdownCause, as people would say it.
const SHUTDOWN: Record<string, string> = {
  'guest-shutdown': 'the guest shut down',
  'guest-reset': 'the guest rebooted',
  'guest-panic': 'the guest panicked',
  'host-qmp-quit': 'forced off',
  'host-qmp-system-reset': 'reset',
  'host-signal': 'killed',
  'host-ui': 'closed',
};

// One line on what the VM is doing or last did.
export function describeStatus(status: VmStatus, now = Date.now()): string {
  const since = sinceText(status.since, now);
  switch (status.state) {
    case 'crashed':
      return `Crashed ${since}: ${status.crash?.reason ?? 'QEMU exited unexpectedly'}`;
    case 'stopped':
      return status.lastShutdown ? `Stopped ${since}: ${SHUTDOWN[status.lastShutdown] ?? status.lastShutdown}` : 'Not running';
    case 'running':
      return `Running ${since}`;
    case 'paused':
      return `Paused ${since}`;
    case 'starting':
      return 'Starting…';
    case 'stopping':
      return 'Shutting down…';
    case 'suspending':
      return 'Saving its state to disk…';
    case 'suspended':
      return `Suspended ${since}: Resume continues where it left off`;
  }
}

// "since 10:42", or "since 3 May" for older times.
function sinceText(iso: string, now: number): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const sameDay = new Date(now).toDateString() === at.toDateString();
  return sameDay
    ? `since ${at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`
    : `since ${at.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })}`;
}
