// Memory of a process or a process tree as Linux accounts it: RSS counts shared pages in every
// process that maps them, PSS splits them, so a tree's PSS sum is what it really costs.
import { readdirSync, readFileSync } from 'node:fs';

export interface Memory {
  rssKiB: number;
  pssKiB: number;
}

function field(file: string, name: string): number {
  try {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    // The process ended between listing and reading.
    return 0;
  }
}

export function processMemory(pid: number): Memory {
  return { rssKiB: field(`/proc/${pid}/status`, 'VmRSS'), pssKiB: field(`/proc/${pid}/smaps_rollup`, 'Pss') };
}

// The pid and every descendant of it.
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name may hold spaces and parentheses; ppid comes after the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // gone already
    }
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

export const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
