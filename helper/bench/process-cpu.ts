// CPU time spent by processes the bench starts, for figures that machine load distorts less than
// wall-clock ones: a server's CPU per round trip or per MB, next to its baseline's.
import { readFileSync } from 'node:fs';

// USER_HZ, the unit of CPU times in /proc/<pid>/stat on Linux.
const CLOCK_TICKS = 100;

// The sum of two CPU-time fields of /proc/<pid>/stat in µs, at 10 ms resolution; -1 where there is
// no /proc. Fields count from the state (field 3), after the command name, which may hold spaces.
function statCpuUs(pid: number, first: number, second: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[first]) + Number(fields[second])) * 1e6) / CLOCK_TICKS;
  } catch {
    return -1;
  }
}

// CPU time (user + system, all threads) of a running process: utime and stime (fields 14, 15).
export function processCpuUs(pid: number): number {
  return statCpuUs(pid, 11, 12);
}

// CPU time of the children a process has reaped: cutime and cstime (fields 16, 17). A server that
// forks per connection, as websockify does, adds each child's time there once it is gone.
export function reapedChildrenCpuUs(pid: number): number {
  return statCpuUs(pid, 13, 14);
}

// reapedChildrenCpuUs once the child serving the connection just closed has been reaped (its time
// shows up as a rise over `before`), or after timeoutMs.
export async function reapedChildrenCpuUsAfter(pid: number, before: number, timeoutMs = 2_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let now = reapedChildrenCpuUs(pid);
  while (now <= before && now >= 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    now = reapedChildrenCpuUs(pid);
  }
  return now;
}
