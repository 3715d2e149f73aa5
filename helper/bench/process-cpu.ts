// CPU time spent by processes the bench starts, for figures that machine load distorts less than
// wall-clock ones: a server's CPU per round trip or per MB, next to its baseline's.
import { readFileSync } from 'node:fs';

// USER_HZ, the unit of CPU times in /proc/<pid>/stat on Linux.
const CLOCK_TICKS = 100;

// CPU time (user + system, all threads) of a running process, in µs at 10 ms resolution; -1 where
// there is no /proc.
export function processCpuUs(pid: number): number {
  try {
    // utime and stime are fields 14 and 15, at 11 and 12 counting from state (see below).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return -1;
  }
}

// CPU time of the children a process has reaped, in µs, at 10 ms resolution (a server that forks
// per connection, as websockify does, adds each child's time there once it is gone); -1 where
// there is no /proc.
export function reapedChildrenCpuUs(pid: number): number {
  try {
    // After the command name (which may hold spaces) fields count from state (field 3), so
    // cutime and cstime (fields 16 and 17) are at 13 and 14.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1e6) / CLOCK_TICKS;
  } catch {
    return -1;
  }
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
