// websockify (Debian's package), the console bridge's baseline in the bench: started on a free
// loopback port in front of a unix socket, and awaited until it accepts connections.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../test/support/free-port';

const WEBSOCKIFY = process.env.OPENUTM_WEBSOCKIFY ?? '/usr/bin/websockify';

export async function startWebsockify(target: string): Promise<{ process: ChildProcess; url: string }> {
  const port = await freePort();
  // No --cert: plain ws://, no TLS. Run in an empty cwd so a stray self.pem is never picked up.
  const proc = spawn(WEBSOCKIFY, [`--unix-target=${target}`, `127.0.0.1:${port}`], { cwd: path.dirname(target), stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr?.resume();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`websockify did not start on port ${port}; is ${WEBSOCKIFY} installed?`);
    await sleep(50);
  }
  return { process: proc, url: `ws://127.0.0.1:${port}/` };
}
