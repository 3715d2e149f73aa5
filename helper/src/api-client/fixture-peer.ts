import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { Hello, PROTOCOL_VERSION, RequestMessage, isOpenUtmError } from '@openutm/shared';

// A request handler of the fixture: returns the result, or throws (an OpenUtmError keeps its code).
export type FixtureHandler = (params: unknown, peer: { tokenName: string }) => unknown;

export interface FixturePeerOptions {
  // token → client name; any other token is refused with close code 4401.
  tokens?: Record<string, string>;
  // The protocol number the fixture puts in welcome (default: this build's).
  protocol?: number;
  helperVersion?: string;
  // Origin the upgrade must carry (default: http://127.0.0.1:<port>); anything else gets 403.
  origin?: string;
  handlers?: Record<string, FixtureHandler>;
}

// A tiny stand-in for the helper's API server that speaks the real protocol over a real socket
// (port 0): hello/welcome, requests, errors, events. For client and CLI tests only.
export class FixturePeer {
  // Every request frame the fixture received, in order.
  readonly requests: Array<{ id: unknown; method: string; params: unknown }> = [];
  readonly sockets = new Set<WebSocket>();
  private readonly wss = new WebSocketServer({ noServer: true });
  // A method listed here is received but never answered (to test timeouts and close).
  readonly silent = new Set<string>();

  private constructor(
    private readonly server: Server,
    private readonly opts: FixturePeerOptions,
  ) {}

  // Starts the fixture on 127.0.0.1 and a free port.
  static async start(opts: FixturePeerOptions = {}): Promise<FixturePeer> {
    const server = createServer((_req, res) => res.writeHead(404).end('not found'));
    const peer = new FixturePeer(server, opts);
    server.on('upgrade', (req, socket, head) => peer.upgrade(req, socket as Socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return peer;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/api`;
  }

  // Sends an event to every connected client.
  broadcast(event: string, data: unknown): void {
    for (const ws of this.sockets) ws.send(JSON.stringify({ event, data }));
  }

  // Sends a raw frame to every connected client (for malformed-answer tests).
  sendRaw(frame: unknown): void {
    for (const ws of this.sockets) ws.send(JSON.stringify(frame));
  }

  // Cuts every connection, as a crashing helper would.
  dropConnections(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  async close(): Promise<void> {
    this.dropConnections();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const expected = this.opts.origin ?? `http://127.0.0.1:${this.port}`;
    if (req.url !== '/api' || req.headers.origin !== expected) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nOrigin ${req.headers.origin} is not allowed`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.session(ws));
  }

  private session(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    let tokenName: string | null = null;
    ws.on('message', async (data) => {
      const frame: unknown = JSON.parse(data.toString());
      if (tokenName === null) {
        const hello = Hello.safeParse(frame);
        const name = hello.success ? this.opts.tokens?.[hello.data.token] : undefined;
        if (name === undefined) {
          ws.close(4401, 'the token is not valid; pair again');
          return;
        }
        tokenName = name;
        const protocol = this.opts.protocol ?? PROTOCOL_VERSION;
        ws.send(JSON.stringify({ type: 'welcome', helperVersion: this.opts.helperVersion ?? '9.9.9', protocol, capabilities: ['fixture'] }));
        return;
      }
      const request = RequestMessage.parse(frame);
      this.requests.push({ id: request.id, method: request.method, params: request.params });
      if (this.silent.has(request.method)) return;
      const handler = this.opts.handlers?.[request.method];
      try {
        if (!handler) throw Object.assign(new Error(`no method ${request.method}`), { code: 'NOT_FOUND' });
        const result = await handler(request.params, { tokenName });
        ws.send(JSON.stringify({ id: request.id, result }));
      } catch (e) {
        const error = isOpenUtmError(e) ? e.toJSON() : { code: 'NOT_FOUND', message: (e as Error).message };
        ws.send(JSON.stringify({ id: request.id, error }));
      }
    });
  }
}
