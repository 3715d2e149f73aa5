// CPU time taken by each part of a bench run (the emulated guest, the helper, the browser, the
// bench itself), read from /proc: on a 2-core host a client's CPU is the guest's loss, so a
// figure that trails its floor is read beside where the time went. Linux only, like the bench.
import { readdirSync, readFileSync } from 'node:fs';

// The browser is split by process type: its renderer (the page), its main process (which reads
// dropped files), its network service (which frames WebSocket data) and its GPU process.
// 'vcpu' and 'spice' are the parts of the guest's time its emulated CPUs' threads and the SPICE
// server's display worker took (QEMU names its threads with -name debug-threads=on).
export type CpuPart = 'guest' | 'vcpu' | 'spice' | 'helper' | 'renderer' | 'browser' | 'network' | 'gpu' | 'bench';
const PARTS: readonly CpuPart[] = ['guest', 'vcpu', 'spice', 'helper', 'renderer', 'browser', 'network', 'gpu', 'bench'];
export type CpuSnapshot = Map<number, { part: CpuPart; seconds: number }>;
export type CpuUse = Record<CpuPart, number>;

const TICKS_PER_SECOND = 100;

// Which part a process is, from its command line (null: not one of this run's).
function partOf(pid: number, argv: string[]): CpuPart | null {
  if (pid === process.pid) return 'bench';
  const exe = argv[0] ?? '';
  if (exe.includes('qemu-system')) return 'guest';
  if (exe.includes('chromium') || exe.includes('chrome')) {
    const type = argv.find((a) => a.startsWith('--type='))?.slice('--type='.length);
    if (!type) return 'browser';
    if (type === 'renderer') return 'renderer';
    if (type === 'gpu-process') return 'gpu';
    return argv.some((a) => a.includes('network.mojom.NetworkService')) ? 'network' : 'browser';
  }
  if (argv.some((a) => a.endsWith('openutm.cjs'))) return 'helper';
  return null;
}

export function cpuSnapshot(): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    try {
      const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '');
      // Chromium rewrites its children's command lines as one string, spaces between.
      const part = partOf(pid, raw.split(raw.includes('\0') ? '\0' : ' '));
      if (!part) continue;
      out.set(pid, { part, seconds: statOf(`/proc/${pid}/stat`).seconds });
      if (part === 'guest') {
        for (const tid of readdirSync(`/proc/${pid}/task`)) {
          const thread = statOf(`/proc/${pid}/task/${tid}/stat`);
          // Keyed apart from processes (a process's first thread has its id).
          const threadPart = thread.name.startsWith('CPU ') ? 'vcpu' : thread.name.startsWith('SPICE') ? 'spice' : null;
          if (threadPart) out.set(-Number(tid), { part: threadPart, seconds: thread.seconds });
        }
      }
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return out;
}

// A process's or thread's name and CPU seconds, from its stat file.
function statOf(file: string): { name: string; seconds: number } {
  const stat = readFileSync(file, 'utf8');
  // Fields after the name (which may hold spaces and parentheses): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
}

// Seconds each part spent between two snapshots (a process that ended in between is not seen).
export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const spent = noCpu();
  for (const [pid, now] of after) spent[now.part] += now.seconds - (before.get(pid)?.seconds ?? 0);
  return spent;
}

function noCpu(): CpuUse {
  return Object.fromEntries(PARTS.map((p) => [p, 0])) as CpuUse;
}

export function addCpu(a: CpuUse, b: CpuUse): CpuUse {
  return Object.fromEntries(PARTS.map((p) => [p, a[p] + b[p]])) as CpuUse;
}

// What a series of runs took, added up (e.g. the file copies of one phase, not what lies between).
export class CpuTally {
  total: CpuUse = noCpu();

  async around<T>(run: () => Promise<T>): Promise<T> {
    const before = cpuSnapshot();
    try {
      return await run();
    } finally {
      this.total = addCpu(this.total, cpuSpent(before, cpuSnapshot()));
    }
  }
}

// "guest 3.10 s, helper 0.40 s, …" per `per` (e.g. per round).
export function describeCpu(spent: CpuUse, per = 1): string {
  return PARTS.filter((p) => spent[p] > 0.005 * per)
    .map((p) => `${p} ${(spent[p] / per).toFixed(2)} s`)
    .join(', ');
}
