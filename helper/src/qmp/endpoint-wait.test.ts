import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { OpenUtmError } from '@openutm/shared';
import { untilEndpointMayAccept } from './endpoint-wait';

const missing = new OpenUtmError('QMP_CLOSED', 'no socket', { errno: 'ENOENT' });
const refused = new OpenUtmError('QMP_CLOSED', 'refused', { errno: 'ECONNREFUSED' });
// Long enough that a wait ending on its timer fails the test's own timeout instead.
const LONG = 60_000;

async function withFolder(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-wait-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const settled = async (p: Promise<void>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 100));
  return done;
};

describe('untilEndpointMayAccept', { timeout: 20_000 }, () => {
  it('ends as the missing socket appears, not at its timer', () =>
    withFolder(async (dir) => {
      const sock = path.join(dir, 'qmp.sock');
      const wait = untilEndpointMayAccept({ kind: 'unix', path: sock }, LONG, missing);
      assert.equal(await settled(wait), false);
      // Another file in the folder is not the socket.
      await writeFile(path.join(dir, 'qemu.log'), 'x');
      assert.equal(await settled(wait), false);
      const server = net.createServer().listen(sock);
      try {
        await wait;
        assert.ok(existsSync(sock));
      } finally {
        server.close();
      }
    }));

  it('ends at once when the socket appeared before the watch began', () =>
    withFolder(async (dir) => {
      const sock = path.join(dir, 'qmp.sock');
      const server = net.createServer().listen(sock);
      try {
        await new Promise((r) => server.once('listening', r));
        await untilEndpointMayAccept({ kind: 'unix', path: sock }, LONG, missing);
      } finally {
        server.close();
      }
    }));

  it('waits its whole time for a socket that is there and refused (nothing to watch for)', () =>
    withFolder(async (dir) => {
      const sock = path.join(dir, 'qmp.sock');
      await writeFile(sock, '');
      let abort!: () => void;
      const aborted = new Promise<void>((r) => (abort = r));
      const wait = untilEndpointMayAccept({ kind: 'unix', path: sock }, LONG, refused, aborted);
      await writeFile(sock, 'changed');
      assert.equal(await settled(wait), false);
      abort();
      await wait;
    }));

  it('waits on its timer for a TCP port or a missing folder', async () => {
    for (const endpoint of [{ kind: 'tcp', host: '127.0.0.1', port: 1 } as const, { kind: 'unix', path: '/nonexistent/openutm/qmp.sock' } as const]) {
      let abort!: () => void;
      const wait = untilEndpointMayAccept(endpoint, LONG, missing, new Promise<void>((r) => (abort = r)));
      assert.equal(await settled(wait), false, endpoint.kind);
      abort();
      await wait;
      const short = untilEndpointMayAccept(endpoint, 10, missing);
      await short;
    }
  });
});
