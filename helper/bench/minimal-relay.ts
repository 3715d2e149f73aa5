// The bench's floor for a copying relay (minimal-relay.c): built with the system's C compiler into
// the bench's scratch directory, started in front of a unix socket, awaited until it listens.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/free-port';

const SOURCE = fileURLToPath(new URL('./minimal-relay.c', import.meta.url));

// What is missing, where there is no C compiler: the floor is context, not a target, so the bench
// goes on without it.
export async function startMinimalRelay(dir: string, target: string): Promise<{ process: ChildProcess; url: string } | { missing: string }> {
  const binary = path.join(dir, 'minimal-relay');
  const cc = process.env.CC ?? 'cc';
  const built = spawnSync(cc, ['-O2', '-o', binary, SOURCE], { encoding: 'utf8' });
  if (built.error || built.status !== 0) return { missing: `${cc} could not build minimal-relay.c: ${built.error?.message ?? built.stderr.trim()}` };
  const proc = spawn(binary, [target, String(await freePort())], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(proc.stdout!, 'data')) as [Buffer];
  const ready = /^ready (\S+)/.exec(line.toString());
  if (!ready) throw new Error(`minimal-relay did not start: ${line.toString()}`);
  return { process: proc, url: ready[1]! };
}
