import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { isOpenUtmError, type ErrorCode } from '@openutm/shared';
import { z } from 'zod';
import { listenOn, vacantEndpoint } from '../runtime/testing/local-endpoint';
import { FakeQmpPeer, type FakePeerOptions, type PeerConnection } from './fake-qmp-peer';
import { QmpClient, type QmpCloseInfo, type QmpConnectOptions, type QmpProtocolError } from './qmp-client';
import type { QmpEvent } from './qmp-messages';

let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'qmp-test-'));
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

// A connected client and the peer-side connection it talks to; both are torn down after the run.
async function connected(
  peerOptions: FakePeerOptions = {},
  clientOptions: QmpConnectOptions = {},
): Promise<{ client: QmpClient; conn: PeerConnection; peer: FakeQmpPeer; protocolErrors: QmpProtocolError[] }> {
  const peer = await FakeQmpPeer.listen(dir, peerOptions);
  cleanups.push(() => peer.close());
  const clientPromise = QmpClient.connect(peer.endpoint, clientOptions);
  const conn = await peer.nextConnection();
  const client = await clientPromise;
  cleanups.push(() => client.close());
  const protocolErrors: QmpProtocolError[] = [];
  client.onProtocolError((e) => protocolErrors.push(e));
  return { client, conn, peer, protocolErrors };
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, messagePart?: RegExp): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (e) {
    assert.ok(isOpenUtmError(e), `expected an OpenUtmError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (messagePart) assert.match(e.message, messagePart);
    return e.details ?? {};
  }
  assert.fail(`expected a ${code} rejection`);
}

// The stream is ordered: once a fresh call is answered, everything the peer wrote before is read.
async function roundTrip(client: QmpClient, conn: PeerConnection): Promise<void> {
  const marker = client.execute('marker');
  const command = await conn.nextCommand();
  assert.equal(command.execute, 'marker');
  conn.send({ return: {}, id: command.id });
  await marker;
}

function closeInfoOf(client: QmpClient): Promise<QmpCloseInfo> {
  return new Promise((resolve) => client.onClose(resolve));
}

test('negotiates capabilities first and exposes the greeting', async () => {
  const { client, conn } = await connected();
  assert.equal(client.greeting.QMP.version.qemu.major, 9);
  assert.deepEqual(client.greeting.QMP.capabilities, ['oob']);
  const status = client.queryStatus();
  const command = await conn.nextCommand();
  conn.send({ return: { status: 'prelaunch', running: false, singlestep: false }, id: command.id });
  assert.deepEqual(await status, { status: 'prelaunch', running: false, singlestep: false });
  assert.deepEqual(
    conn.received.map((c) => c.execute),
    ['qmp_capabilities', 'query-status'],
  );
});

test('correlates replies by id even when they arrive out of order', async () => {
  const { client, conn } = await connected();
  const a = client.execute('cmd-a', { n: 1 });
  const b = client.execute('cmd-b');
  const c = client.execute('cmd-c');
  const [ca, cb, cc] = await conn.nextCommands(3);
  assert.deepEqual(ca?.arguments, { n: 1 });
  assert.equal(cb?.arguments, undefined);
  conn.send({ return: 'C', id: cc?.id });
  conn.send({ return: 'A', id: ca?.id });
  conn.send({ id: cb?.id, return: ['B'] });
  assert.deepEqual(await Promise.all([a, b, c]), ['A', ['B'], 'C']);
});

test('delivers events interleaved with replies in order, never as replies, across split and merged chunks', async () => {
  const { client, conn, protocolErrors } = await connected();
  const events: string[] = [];
  client.onEvent((e) => events.push(`${e.event}:${JSON.stringify(e.data ?? null)}`));
  const first = client.execute('first');
  const second = client.execute('second');
  const [c1, c2] = await conn.nextCommands(2);
  const line = (o: object) => `${JSON.stringify(o)}\r\n`;
  const reply2 = line({ return: { n: 2 }, id: c2?.id });
  // Event, then the whole reply 1 and half of reply 2 in one write ...
  await conn.raw(line(conn.event('STOP')) + line({ return: { n: 1 }, id: c1?.id }) + reply2.slice(0, 7));
  assert.deepEqual(await first, { n: 1 });
  // ... then the rest of reply 2 byte by byte, with two events merged after it.
  for (const ch of reply2.slice(7)) await conn.raw(ch);
  await conn.raw(line(conn.event('RESUME')) + line(conn.event('SHUTDOWN', { guest: true, reason: 'guest-shutdown' })));
  assert.deepEqual(await second, { n: 2 });
  await roundTrip(client, conn); // every line sent before this has now been read
  assert.deepEqual(events, ['STOP:null', 'RESUME:null', 'SHUTDOWN:{"guest":true,"reason":"guest-shutdown"}']);
  assert.deepEqual(protocolErrors, []);
});

test('events that arrive with the capabilities reply reach the first subscriber', async () => {
  const peer = await FakeQmpPeer.listen(dir, { autoCapabilities: false });
  cleanups.push(() => peer.close());
  const clientPromise = QmpClient.connect(peer.endpoint);
  const conn = await peer.nextConnection();
  const caps = await conn.nextCommand();
  assert.equal(caps.execute, 'qmp_capabilities');
  await conn.raw(
    `${JSON.stringify({ return: {}, id: caps.id })}\r\n${JSON.stringify(conn.event('RESUME'))}\r\n${JSON.stringify(conn.event('STOP'))}\r\n`,
  );
  const client = await clientPromise;
  cleanups.push(() => client.close());
  const events: QmpEvent[] = [];
  client.onEvent((e) => events.push(e));
  await roundTrip(client, conn);
  assert.deepEqual(
    events.map((e) => e.event),
    ['RESUME', 'STOP'],
  );
});

test('an error reply rejects with QMP_ERROR carrying class, desc and command', async () => {
  const { client, conn } = await connected();
  const call = client.execute('blockdev-del', { 'node-name': 'x' });
  const command = await conn.nextCommand();
  conn.send({ error: { class: 'GenericError', desc: "Failed to find node with node-name='x'" }, id: command.id });
  const details = await rejectsWith(call, 'QMP_ERROR', /blockdev-del.*node-name='x'/);
  assert.deepEqual(details, { class: 'GenericError', desc: "Failed to find node with node-name='x'", command: 'blockdev-del' });
});

test('a call times out with QMP_TIMEOUT and its late reply is dropped quietly', async () => {
  const { client, conn, protocolErrors } = await connected();
  const slow = client.execute('slow', undefined, { timeoutMs: 20 });
  const command = await conn.nextCommand();
  const details = await rejectsWith(slow, 'QMP_TIMEOUT', /"slow" within 20 ms/);
  assert.equal(details.command, 'slow');
  conn.send({ return: 'too late', id: command.id });
  await roundTrip(client, conn);
  assert.deepEqual(protocolErrors, []);
  assert.equal(client.isClosed, false);
});

test('malformed lines are reported and skipped without disturbing calls', async () => {
  const { client, conn, protocolErrors } = await connected();
  const call = client.execute('query-kvm');
  const command = await conn.nextCommand();
  await conn.raw(
    [
      'this is not json',
      '[1, 2, 3]',
      '{"surprise": true}',
      '{"event": "STOP"}',
      '{"return": {}, "id": 987654}',
      '{"error": {"class": "GenericError", "desc": "JSON parse error"}}',
      JSON.stringify(otherGreeting()),
      '',
      JSON.stringify({ return: { enabled: false, present: false }, id: command.id }),
      '',
    ].join('\r\n'),
  );
  assert.deepEqual(await call, { enabled: false, present: false });
  assert.deepEqual(
    protocolErrors.map((e) => e.kind),
    ['not-json', 'unknown-shape', 'unknown-shape', 'unknown-shape', 'unexpected-reply', 'unexpected-reply', 'unexpected-greeting'],
  );
  assert.equal(protocolErrors[0]?.line, 'this is not json');
  assert.match(protocolErrors[5]?.message ?? '', /without an id/);
});

// A valid greeting from a different QEMU than FAKE_GREETING.
function otherGreeting(): object {
  return { QMP: { version: { qemu: { major: 1, minor: 0, micro: 0 }, package: '' }, capabilities: [] } };
}

test('a line longer than maxLineBytes is skipped and the stream stays in sync', async () => {
  const { client, conn, protocolErrors } = await connected({}, { maxLineBytes: 1024 });
  const call = client.execute('query-big');
  const command = await conn.nextCommand();
  await conn.raw(`${JSON.stringify({ return: 'x'.repeat(5000), id: command.id })}\r\n`);
  const next = client.execute('query-small');
  const small = await conn.nextCommand();
  conn.send({ return: 'ok', id: small.id });
  assert.equal(await next, 'ok');
  assert.deepEqual(
    protocolErrors.map((e) => e.kind),
    ['line-too-long'],
  );
  // Its answer was the skipped line, so only a timeout or the connection's end settles it.
  const closing = client.close();
  await rejectsWith(call, 'QMP_CLOSED');
  await closing;
});

test('when the peer hangs up, every pending call rejects with QMP_CLOSED and close fires once', async () => {
  const { client, conn } = await connected();
  const closes: QmpCloseInfo[] = [];
  client.onClose((info) => closes.push(info));
  const calls = ['one', 'two', 'three'].map((name) => client.execute(name));
  await conn.nextCommands(3);
  conn.send(conn.event('SHUTDOWN', { guest: true, reason: 'guest-shutdown' }));
  conn.socket.destroy();
  const details = await Promise.all(calls.map((call) => rejectsWith(call, 'QMP_CLOSED', /closed before it answered/)));
  assert.deepEqual(
    details.map((d) => d.command),
    ['one', 'two', 'three'],
  );
  assert.equal(closes.length, 1);
  assert.equal(closes[0]?.reason, 'peer-closed');
  assert.deepEqual(closes[0]?.shutdown, { guest: true, reason: 'guest-shutdown' });
  // A late subscriber still hears about the close, and new calls fail at once.
  const late = await closeInfoOf(client);
  assert.equal(late, closes[0]);
  await rejectsWith(client.execute('after'), 'QMP_CLOSED', /reconnect/);
  assert.equal(closes.length, 1);
});

test('close() ends the connection, rejects pending calls and reports client-closed', async () => {
  const { client, conn } = await connected();
  const pending = client.execute('never-answered');
  await conn.nextCommand();
  const info = await client.close();
  assert.equal(info.reason, 'client-closed');
  await rejectsWith(pending, 'QMP_CLOSED');
  assert.equal(client.isClosed, true);
  assert.equal(await client.close(), info);
});

test('quit() resolves once QEMU hangs up, whether or not it answered first', async () => {
  for (const answers of [true, false]) {
    const { client, conn } = await connected();
    const quitting = client.quit();
    const command = await conn.nextCommand();
    assert.equal(command.execute, 'quit');
    if (answers) {
      conn.send({ return: {}, id: command.id });
      conn.send(conn.event('SHUTDOWN', { guest: false, reason: 'host-qmp-quit' }));
      conn.socket.end();
    } else {
      conn.socket.destroy();
    }
    const info = await quitting;
    assert.equal(info.reason, 'quit', `answers=${answers}`);
    assert.deepEqual(info.shutdown, answers ? { guest: false, reason: 'host-qmp-quit' } : null);
  }
});

test('quit sent through execute() also marks the close as asked for', async () => {
  const { client, conn } = await connected();
  const closed = closeInfoOf(client);
  const quit = client.execute('quit');
  await conn.nextCommand();
  conn.socket.destroy();
  await rejectsWith(quit, 'QMP_CLOSED');
  assert.equal((await closed).reason, 'quit');
});

test('executeChecked rejects an answer of the wrong shape with QMP_ERROR', async () => {
  const { client, conn } = await connected();
  const status = client.queryStatus();
  const command = await conn.nextCommand();
  conn.send({ return: { status: 'running' }, id: command.id });
  await rejectsWith(status, 'QMP_ERROR', /query-status.*running/);
  const checked = client.executeChecked('query-name', z.object({ name: z.string() }));
  const c2 = await conn.nextCommand();
  conn.send({ return: { name: 'vm1' }, id: c2.id });
  assert.deepEqual(await checked, { name: 'vm1' });
});

test('works over loopback TCP', async () => {
  const { client, conn } = await connected({ tcp: true });
  assert.equal(client.endpoint.startsWith('127.0.0.1:'), true);
  const call = client.execute('query-name');
  const command = await conn.nextCommand();
  conn.send({ return: {}, id: command.id });
  assert.deepEqual(await call, {});
});

test('connect rejects with QMP_CLOSED when no socket exists', { skip: process.platform === 'win32' ? 'no unix sockets on Windows: QEMU is reached over TCP there (next test)' : false }, async () => {
  const details = await rejectsWith(QmpClient.connect({ kind: 'unix', path: path.join(dir, 'missing.sock') }), 'QMP_CLOSED', /no QMP socket at .*missing\.sock/);
  assert.equal(details.errno, 'ENOENT');
});

test('connect rejects with QMP_CLOSED when nothing listens on the port', async () => {
  const server = net.createServer();
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  await new Promise((resolve) => server.close(resolve));
  const details = await rejectsWith(QmpClient.connect({ kind: 'tcp', host: '127.0.0.1', port }), 'QMP_CLOSED', /nothing accepts connections/);
  assert.equal(details.errno, 'ECONNREFUSED');
});

test('connect times out with QMP_TIMEOUT when the peer never greets', async () => {
  const peer = await FakeQmpPeer.listen(dir, { greeting: null });
  cleanups.push(() => peer.close());
  await rejectsWith(QmpClient.connect(peer.endpoint, { timeoutMs: 30 }), 'QMP_TIMEOUT', /handshake within 30 ms/);
});

test('connect refuses a peer whose first line is not a QMP greeting', async () => {
  const peer = await FakeQmpPeer.listen(dir, { greeting: '{"return": {}}\r\n' });
  cleanups.push(() => peer.close());
  await rejectsWith(QmpClient.connect(peer.endpoint), 'QMP_CLOSED', /not a QMP monitor/);
});

test('connect reports a peer that hangs up before greeting', async () => {
  const peer = await FakeQmpPeer.listen(dir, { greeting: null });
  cleanups.push(() => peer.close());
  const connecting = QmpClient.connect(peer.endpoint);
  (await peer.nextConnection()).socket.destroy();
  await rejectsWith(connecting, 'QMP_CLOSED', /closed the connection before greeting/);
});

test('with retry, connect waits for a socket that appears later', async () => {
  const late = await vacantEndpoint(dir, 'late.sock');
  const connecting = QmpClient.connect(late, { retry: true, timeoutMs: 10_000 });
  // The first attempt has failed with ENOENT by the time the server exists (or raced it; both pass).
  await new Promise((resolve) => setImmediate(resolve));
  const server = net.createServer((socket) => {
    socket.write(`${JSON.stringify(otherGreeting())}\r\n`);
    socket.on('data', (data) => {
      const { id } = JSON.parse(data.toString()) as { id: unknown };
      socket.write(`${JSON.stringify({ return: {}, id })}\r\n`);
    });
  });
  await listenOn(server, late);
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const client = await connecting;
  assert.equal(client.greeting.QMP.version.qemu.major, 1);
  await client.close();
});

test('with retry, connect stops trying once retryUntil settles and throws the last error', async () => {
  const never = await vacantEndpoint(dir, 'never.sock');
  let stop!: () => void;
  const exited = new Promise<void>((resolve) => (stop = resolve));
  // Without retryUntil this would keep trying for ten minutes.
  const connecting = QmpClient.connect(never, { retry: true, timeoutMs: 600_000, retryUntil: exited });
  setTimeout(stop, 50);
  const details = await rejectsWith(connecting, 'QMP_CLOSED', /.+/);
  assert.ok(details.errno === 'ENOENT' || details.errno === 'ECONNREFUSED', String(details.errno));
});

test('with retry, connect tries once when retryUntil has already settled', async () => {
  const never = await vacantEndpoint(dir, 'never2.sock');
  await rejectsWith(QmpClient.connect(never, { retry: true, timeoutMs: 600_000, retryUntil: Promise.resolve() }), 'QMP_CLOSED', /.+/);
});
