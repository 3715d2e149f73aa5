import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, test } from 'node:test';
import { WebSocket as WsClient, WebSocketServer, type WebSocket as WsServerSocket } from 'ws';
import { isOpenUtmError, PROTOCOL_VERSION, type VmStatus } from '@openutm/shared';
import { HelperConnection, type ConnectionPhase, type ConnectionStatus } from './connection';

// A peer that answers hello with a welcome (or what a test says) on a real socket, port 0.
class Peer {
  readonly frames: unknown[] = [];
  readonly sockets = new Set<WsServerSocket>();
  private server: Server | null = null;
  private readonly wss = new WebSocketServer({ noServer: true });
  port = 0;
  onHello: (ws: WsServerSocket, hello: { token: string }) => void = (ws) =>
    ws.send(JSON.stringify({ type: 'welcome', helperVersion: '1.2.3', protocol: PROTOCOL_VERSION, capabilities: [] }));
  onRequest: (ws: WsServerSocket, req: { id: number; method: string; params: unknown }) => void = () => undefined;

  async start(): Promise<void> {
    const server = createServer();
    server.on('upgrade', (req, socket, head) => this.wss.handleUpgrade(req, socket, head, (ws) => this.session(ws)));
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private session(ws: WsServerSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    let hello = true;
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { token: string; id: number; method: string; params: unknown };
      this.frames.push(frame);
      if (hello) {
        hello = false;
        this.onHello(ws, frame);
      } else this.onRequest(ws, frame);
    });
  }
}

const peers: Peer[] = [];
const connections: HelperConnection[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) c.stop();
  for (const p of peers.splice(0)) await p.stop();
});

async function startPeer(): Promise<Peer> {
  const peer = new Peer();
  await peer.start();
  peers.push(peer);
  return peer;
}

// A connection using the `ws` package as its WebSocket, with fast backoff, and a log of phases.
function connect(port: number, over: { token?: string | null; helloTimeoutMs?: number } = {}) {
  const phases: ConnectionPhase[] = [];
  const events: Array<[string, unknown]> = [];
  const unauthorized: string[] = [];
  let last: ConnectionStatus | null = null;
  const waiters = new Set<() => void>();
  const conn = new HelperConnection({
    url: `ws://127.0.0.1:${port}/api`,
    token: () => (over.token === undefined ? 'secret-token' : over.token),
    client: { name: 'test', version: '0.0.0' },
    openSocket: (url) => new WsClient(url) as unknown as WebSocket,
    helloTimeoutMs: over.helloTimeoutMs,
    backoff: { initialMs: 20, maxMs: 100, jitter: 0 },
    onStatus: (s) => {
      if (phases.at(-1) !== s.phase) phases.push(s.phase);
      last = s;
      for (const w of [...waiters]) w();
    },
    onEvent: (event, data) => events.push([event, data]),
    onUnauthorized: (reason) => unauthorized.push(reason),
  });
  connections.push(conn);
  const until = (phase: ConnectionPhase) =>
    new Promise<ConnectionStatus>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`never reached ${phase}; went ${phases.join(' → ')}`)), 3000);
      const check = () => {
        if (last?.phase === phase) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(last);
        }
      };
      waiters.add(check);
      check();
    });
  return { conn, phases, events, unauthorized, until };
}

const STATUS: VmStatus = { id: 'abcdef', name: 'A', state: 'running', since: '2025-01-01T00:00:00.000Z', pid: 1, crash: null, lastShutdown: null };

test('says hello with the token first, then calls resolve with results checked against METHODS', async () => {
  const peer = await startPeer();
  peer.onRequest = (ws, req) => ws.send(JSON.stringify({ id: req.id, result: STATUS }));
  const { conn, until } = connect(peer.port);
  conn.start();
  const status = await until('connected');
  assert.equal(status.welcome?.helperVersion, '1.2.3');
  assert.deepEqual(peer.frames[0], { type: 'hello', token: 'secret-token', protocol: PROTOCOL_VERSION, client: { name: 'test', version: '0.0.0' } });
  assert.deepEqual(await conn.call('vm.start', { id: 'abcdef' }), STATUS);
  assert.deepEqual(peer.frames[1], { id: 1, method: 'vm.start', params: { id: 'abcdef' } });
});

test('a result that does not match the schema, and an error answer, reject with codes', async () => {
  const peer = await startPeer();
  peer.onRequest = (ws, req) =>
    ws.send(JSON.stringify(req.method === 'vm.start' ? { id: req.id, result: { nope: true } } : { id: req.id, error: { code: 'INVALID_STATE', message: 'shut it down first' } }));
  const { conn, until } = connect(peer.port);
  conn.start();
  await until('connected');
  await assert.rejects(conn.call('vm.start', { id: 'abcdef' }), (e) => isOpenUtmError(e) && e.code === 'INTERNAL' && /does not match/.test(e.message));
  await assert.rejects(conn.call('vm.pause', { id: 'abcdef' }), (e) => isOpenUtmError(e) && e.code === 'INVALID_STATE' && e.message === 'shut it down first');
});

test('events are handed on; a call without an answer times out', async () => {
  const peer = await startPeer();
  const { conn, until, events } = connect(peer.port);
  conn.start();
  await until('connected');
  for (const ws of peer.sockets) ws.send(JSON.stringify({ event: 'vm.state', data: STATUS }));
  await assert.rejects(conn.call('vm.list', {}, 50), (e) => isOpenUtmError(e) && e.code === 'HELPER_UNAVAILABLE' && /did not answer vm.list/.test(e.message));
  assert.deepEqual(events, [['vm.state', STATUS]]);
});

test('a dropped connection fails waiting calls, reads as reconnecting, then offline, and comes back', async () => {
  const peer = await startPeer();
  const { conn, until, phases } = connect(peer.port);
  conn.start();
  await until('connected');
  const waiting = conn.call('vm.list', {});
  await peer.stop();
  await assert.rejects(waiting, (e) => isOpenUtmError(e) && e.code === 'HELPER_UNAVAILABLE' && /closed before it answered vm.list/.test(e.message));
  const offline = await until('helper-offline');
  assert.ok(offline.retryAt !== null && offline.failures >= 1);
  await peer.start();
  await until('connected');
  assert.deepEqual(phases.slice(0, 3), ['connected', 'reconnecting', 'helper-offline']);
  assert.equal(phases.at(-1), 'connected');
});

test('close 4401 means pair again: no retry, the token is reported as refused', async () => {
  const peer = await startPeer();
  peer.onHello = (ws) => ws.close(4401, 'this token is not valid (unknown or revoked); pair this client again');
  const { conn, until, unauthorized } = connect(peer.port);
  conn.start();
  const status = await until('unpaired');
  assert.match(status.reason ?? '', /pair this client again/);
  assert.equal(unauthorized.length, 1);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(peer.frames.length, 1, 'no second attempt');
});

test('without a token nothing is opened; a helper speaking a newer protocol is incompatible', async () => {
  const peer = await startPeer();
  const none = connect(peer.port, { token: null });
  none.conn.start();
  await none.until('unpaired');
  assert.equal(peer.frames.length, 0);

  peer.onHello = (ws) => ws.send(JSON.stringify({ type: 'welcome', helperVersion: '9', protocol: PROTOCOL_VERSION + 1, capabilities: [] }));
  const newer = connect(peer.port);
  newer.conn.start();
  const status = await newer.until('incompatible');
  assert.match(status.reason ?? '', /reload the page/);
});

test('a peer that never welcomes counts as offline after the hello timeout', async () => {
  const peer = await startPeer();
  peer.onHello = () => undefined;
  const { conn, until } = connect(peer.port, { helloTimeoutMs: 50 });
  conn.start();
  const status = await until('helper-offline');
  assert.match(status.reason ?? '', /no welcome within/);
});
