import http from 'node:http';
import type net from 'node:net';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { FrameStream } from './spice-link';
import { createConsoleUpgradeHandler, type ConsoleUpgradeDeps } from '../../src/console-bridge/console-upgrade';

// A stand-in for the API server's routing: upgrades of /console/<id>?ticket=… go to the console
// upgrade handler; everything else is refused. Host/Origin checks are the real server's job.
export async function startConsoleServer(deps: ConsoleUpgradeDeps): Promise<{ base: string; close: () => Promise<void> }> {
  const handler = createConsoleUpgradeHandler({ log: () => undefined, ...deps });
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/console\/([^/]+)$/.exec(url.pathname);
    if (!m) {
      socket.destroy();
      return;
    }
    handler(req, socket, head, decodeURIComponent(m[1]!), url.searchParams.get('ticket') ?? '');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    base: `ws://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Opens a console WebSocket; resolves with it (and a stream of what it received from the very
// first byte) once open, or with the HTTP status it was refused with.
export function openConsole(
  url: string,
  protocols: string[] = ['binary'],
): Promise<{ ws: WebSocket; stream: FrameStream } | { refused: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
    const stream = new FrameStream(ws);
    ws.once('open', () => resolve({ ws, stream }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ refused: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ refused: res.statusCode ?? 0, body }));
    });
    ws.once('error', (e) => reject(e));
  });
}
