import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type net from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { startBridgeServer, startUnixServer, type BridgeServer, type UnixServer } from './testing/bridge-harness';
import type { BridgeHandle } from './ws-unix-bridge';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup(opts: Parameters<typeof startBridgeServer>[1] = {}): Promise<{ unix: UnixServer; bridge: BridgeServer }> {
  const unix = await startUnixServer();
  const bridge = await startBridgeServer(unix.endpoint, opts);
  cleanups.push(() => unix.close(), () => bridge.close());
  return { unix, bridge };
}

// Opens a client and resolves once the bridge and the VM side both exist.
async function connect(
  s: { unix: UnixServer; bridge: BridgeServer },
  protocols?: string[],
): Promise<{ ws: WebSocket; vm: net.Socket; handle: BridgeHandle }> {
  const vmP = s.unix.nextConnection();
  const handleP = s.bridge.nextBridge();
  const ws = new WebSocket(s.bridge.url, protocols, { perMessageDeflate: false });
  ws.on('error', () => undefined);
  await once(ws, 'open');
  return { ws, vm: await vmP, handle: await handleP };
}

function collect(ws: WebSocket): { bytes: () => Buffer; frames: () => number } {
  const parts: Buffer[] = [];
  ws.on('message', (data: Buffer) => parts.push(data));
  return { bytes: () => Buffer.concat(parts), frames: () => parts.length };
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('the "binary" subprotocol is echoed when offered; a client offering none is accepted', async () => {
  const s = await setup();
  const withBinary = await connect(s, ['binary']);
  assert.equal(withBinary.ws.protocol, 'binary');
  const without = await connect(s);
  assert.equal(without.ws.protocol, '');
  withBinary.ws.close();
  without.ws.close();
});

test('bytes cross exactly in both directions, in order, in many chunk sizes', async () => {
  const s = await setup();
  const { ws, vm } = await connect(s, ['binary']);
  const toClient = randomBytes(3 * 1024 * 1024 + 17);
  const fromClient: Buffer[] = [];
  for (let size = 1; size < 300_000; size = size * 3 + 1) fromClient.push(randomBytes(size));
  const expectedAtVm = Buffer.concat(fromClient);

  const atClient = collect(ws);
  const atVm: Buffer[] = [];
  vm.on('data', (d: Buffer) => atVm.push(d));
  for (let at = 0; at < toClient.length; at += 100_003) vm.write(toClient.subarray(at, at + 100_003));
  for (const chunk of fromClient) ws.send(chunk, { binary: true });

  await until(() => atClient.bytes().length >= toClient.length, 'display bytes');
  await until(() => Buffer.concat(atVm).length >= expectedAtVm.length, 'input bytes');
  assert.equal(sha(atClient.bytes()), sha(toClient));
  assert.equal(sha(Buffer.concat(atVm)), sha(expectedAtVm));
  ws.close();
});

test('when the VM side closes, the browser gets a normal close with the reason', async () => {
  const s = await setup();
  const { ws, vm, handle } = await connect(s);
  const got = collect(ws);
  vm.end(Buffer.from('last words'));
  const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
  assert.equal(code, 1000);
  assert.match(reason.toString(), /VM closed/);
  assert.equal(got.bytes().toString(), 'last words', 'data sent before the close still arrives');
  assert.equal((await handle.closed).by, 'vm');
});

test('when the browser closes, the VM side sees end of stream after the last input', async () => {
  const s = await setup();
  const { ws, vm, handle } = await connect(s);
  const atVm: Buffer[] = [];
  vm.on('data', (d: Buffer) => atVm.push(d));
  ws.send(Buffer.from('bye'), { binary: true });
  const vmEnded = once(vm, 'end');
  ws.close(4000, 'tab closed');
  await vmEnded;
  assert.equal(Buffer.concat(atVm).toString(), 'bye');
  const info = await handle.closed;
  assert.deepEqual(info, { code: 4000, reason: 'tab closed', by: 'client' });
});

test('a text frame closes the connection with 1003 and drops the VM connection', async () => {
  const s = await setup();
  const { ws, vm, handle } = await connect(s);
  const atVm: Buffer[] = [];
  vm.on('data', (d: Buffer) => atVm.push(d));
  const vmClosed = once(vm, 'close');
  ws.send('{"not":"binary"}');
  const [code] = (await once(ws, 'close')) as [number, Buffer];
  assert.equal(code, 1003);
  await vmClosed;
  assert.equal(Buffer.concat(atVm).length, 0, 'the text never reached the VM');
  assert.equal((await handle.closed).by, 'bridge');
});

test('a browser that stops reading does not make the bridge buffer without bound', async () => {
  const highWaterMark = 1024 * 1024;
  const s = await setup({ highWaterMark });
  const { ws, vm, handle } = await connect(s);
  // The "browser" stops reading: its socket is paused, the kernel buffers fill, then the bridge's.
  ws.pause();
  const chunk = randomBytes(256 * 1024);
  let written = 0;
  let blocked = false;
  const pump = (): void => {
    while (!blocked) {
      written += chunk.length;
      if (!vm.write(chunk)) blocked = true;
    }
  };
  vm.on('drain', () => {
    blocked = false;
    pump();
  });
  pump();
  await until(() => handle.stats().vmReadPaused, 'the bridge to stop reading the VM');
  // Let the VM keep pushing for a while: nothing more may pile up in the bridge.
  let peak = 0;
  for (let i = 0; i < 50; i++) {
    const st = handle.stats();
    peak = Math.max(peak, st.toClientQueued + st.vmReadBuffers);
    await sleep(10);
  }
  const st = handle.stats();
  assert.ok(st.vmReadPaused, 'the VM side stays paused');
  assert.ok(peak <= highWaterMark + 2 * 1024 * 1024, `the bridge held ${peak} bytes, bound ${highWaterMark} + its read buffers`);
  assert.ok(peak <= 16 * 1024 * 1024, 'within 16 MiB per connection');
  assert.ok(written - st.bytesToClient > 0, 'the VM is held back, not the bridge');

  // Reading again drains everything, intact and in order.
  const got = collect(ws);
  ws.resume();
  vm.removeAllListeners('drain');
  await until(() => got.bytes().length >= written, 'the backlog to arrive');
  const expected = Buffer.alloc(written);
  for (let at = 0; at < written; at += chunk.length) chunk.copy(expected, at);
  assert.equal(sha(got.bytes()), sha(expected));
  assert.equal(handle.stats().vmReadPaused, false, 'reading resumed');
  ws.close();
});

test('a VM that stops reading input pauses the browser side instead of buffering', async () => {
  const s = await setup();
  const { ws, vm, handle } = await connect(s);
  vm.pause();
  const chunk = randomBytes(64 * 1024);
  // Keep ws's own send queue short too, so what piles up can only be in the bridge or the kernel.
  let sent = 0;
  const sendMore = (): void => {
    while (ws.bufferedAmount < 256 * 1024 && sent < 64 * 1024 * 1024) {
      ws.send(chunk, { binary: true });
      sent += chunk.length;
    }
  };
  const timer = setInterval(sendMore, 2);
  try {
    await until(() => handle.stats().clientReadPaused, 'the bridge to stop reading the browser');
    let peak = 0;
    for (let i = 0; i < 50; i++) {
      peak = Math.max(peak, handle.stats().toVmQueued);
      await sleep(10);
    }
    assert.ok(peak <= 2 * 1024 * 1024, `the bridge held ${peak} bytes for the VM`);
    assert.ok(sent - handle.stats().bytesToVm > 0, 'the browser is held back');
  } finally {
    clearInterval(timer);
  }
  const atVm: number[] = [0];
  vm.on('data', (d: Buffer) => (atVm[0]! += d.length));
  vm.resume();
  await until(() => atVm[0] === sent, 'the input backlog to reach the VM');
  ws.close();
});
