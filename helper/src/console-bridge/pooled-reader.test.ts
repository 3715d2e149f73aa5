import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectDisplay } from './connect-endpoint';
import { startUnixServer, type UnixServer } from './testing/bridge-harness';

const servers: UnixServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function connected(): Promise<{ vm: net.Socket; display: Awaited<ReturnType<typeof connectDisplay>> }> {
  const server = await startUnixServer();
  servers.push(server);
  const next = server.nextConnection();
  const display = await connectDisplay(server.endpoint, { reader: { bufferBytes: 64 * 1024, maxEarlyBytes: 100_000 } });
  return { vm: await next, display };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('bytes that arrive before anyone takes them (a VNC greeting) are delivered first', async () => {
  const { vm, display } = await connected();
  vm.write('RFB 003.008\n');
  await sleep(50);
  const got: Buffer[] = [];
  display.reader.setSink((chunk, release) => {
    got.push(Buffer.from(chunk));
    release?.();
  });
  vm.write('more');
  await until(() => Buffer.concat(got).toString() === 'RFB 003.008\nmore', 'the early bytes then the rest');
  display.socket.destroy();
});

test('large reads are lent out and come back; small ones are copied; all bytes arrive in order', async () => {
  const { vm, display } = await connected();
  const data = randomBytes(4 * 1024 * 1024);
  const got: Buffer[] = [];
  const lent: Array<() => void> = [];
  display.reader.setSink((chunk, release) => {
    got.push(Buffer.from(chunk));
    if (release) {
      assert.ok(chunk.length >= 32 * 1024, 'only reads of at least half a buffer are lent');
      lent.push(release);
    } else {
      assert.ok(chunk.length < 32 * 1024, 'smaller reads are copied to their size');
    }
  });
  vm.write(data);
  await until(() => Buffer.concat(got).length === data.length, 'all the data');
  assert.deepEqual(Buffer.concat(got), data);
  const held = display.reader.heldBytes;
  for (const release of lent) {
    release();
    release(); // a second call is harmless
  }
  assert.ok(display.reader.heldBytes < held || lent.length === 0, 'released buffers are no longer held');
  assert.ok(display.reader.heldBytes <= (1 + 4) * (64 * 1024 + display.reader.headroom), 'at most keepFree buffers are kept');
  display.socket.destroy();
});

test('reading stops while nobody takes the data, so early bytes stay bounded', async () => {
  const { vm, display } = await connected();
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024, 1);
  while (vm.write(chunk)) written += chunk.length;
  written += chunk.length;
  await sleep(200);
  // The limit, plus the one read that crossed it, plus the reader's own and free buffers.
  const perBuffer = 64 * 1024 + display.reader.headroom;
  assert.ok(display.reader.heldBytes <= 100_000 + 64 * 1024 + (1 + 4) * perBuffer, `held ${display.reader.heldBytes}`);
  let total = 0;
  display.reader.setSink((c, release) => {
    total += c.length;
    release?.();
  });
  display.socket.resume();
  await until(() => total === written, 'the held-back data after the sink arrived');
  display.socket.destroy();
});
