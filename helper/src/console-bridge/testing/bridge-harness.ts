import http from 'node:http';
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import type { Endpoint } from '../../runtime/runtime-paths';
import { listenLocal } from '../../runtime/testing/local-endpoint';
import { connectDisplay } from '../connect-endpoint';
import { bridgeWebSocket, type BridgeHandle, type BridgeOptions } from '../ws-unix-bridge';

// A server standing in for QEMU's display socket: a unix socket in a fresh private directory,
// loopback TCP on Windows (where the helper reaches QEMU over TCP).
export interface UnixServer {
  endpoint: Endpoint;
  // The private directory the socket is in (also made on Windows, for files beside it).
  dir: string;
  connections: net.Socket[];
  // Resolves with the next connection the server accepts.
  nextConnection(): Promise<net.Socket>;
  close(): Promise<void>;
}

export async function startUnixServer(onConnection: (socket: net.Socket) => void = () => undefined): Promise<UnixServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-cb-'));
  const connections: net.Socket[] = [];
  const waiting: Array<(s: net.Socket) => void> = [];
  const server = net.createServer((socket) => {
    connections.push(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
    waiting.shift()?.(socket);
  });
  const endpoint = await listenLocal(server, dir, 'vm.sock');
  return {
    endpoint,
    dir,
    connections,
    nextConnection: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      for (const c of connections) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// An HTTP server on loopback whose upgrades are bridged to a unix socket, as the console
// upgrade handler does after its checks; for bridge tests and the bench.
export interface BridgeServer {
  url: string;
  handles: BridgeHandle[];
  // Resolves with the handle of the next bridge opened.
  nextBridge(): Promise<BridgeHandle>;
  close(): Promise<void>;
}

// display: the stand-in's endpoint, or a unix socket path (the bench's sources).
export async function startBridgeServer(display: Endpoint | string, opts: BridgeOptions = {}): Promise<BridgeServer> {
  const endpoint: Endpoint = typeof display === 'string' ? { kind: 'unix', path: display } : display;
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (offered) => (offered.has('binary') ? 'binary' : false),
  });
  const handles: BridgeHandle[] = [];
  const waiting: Array<(h: BridgeHandle) => void> = [];
  const server = http.createServer((_req, res) => res.writeHead(426).end());
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    connectDisplay(endpoint).then(
      (vm) =>
        wss.handleUpgrade(req, socket, head, (ws) => {
          const handle = bridgeWebSocket(ws, socket, vm, { log: () => undefined, ...opts });
          handles.push(handle);
          waiting.shift()?.(handle);
        }),
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/console`,
    handles,
    nextBridge: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      for (const h of handles) h.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
