import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  Hello,
  OpenUtmError,
  PROTOCOL_VERSION,
  RequestMessage,
  VmConfig,
  VmSummary,
  canPerform,
  isOpenUtmError,
  whyNot,
  type VmAction,
  type VmState,
  type VmStatus,
} from '@openutm/shared';

// A stand-in for the helper until its API server lands: the real protocol over a real socket on
// port 0 (pairing, hello/welcome, a few vm.* methods, events), small enough to read in one go.
// It holds its VMs in memory and changes state only when a test says so, except that the
// actions answer with the "in progress" state the real engine would report.

// The one pairing code this fixture accepts, as `openutm pair` would print it.
export const FIXTURE_CODE = 'K7QM-2XPD';

export interface FixtureOptions {
  // The page origin allowed to connect (the helper's OPENUTM_ORIGINS).
  origin: string;
  vms: VmSummary[];
}

export class FixtureHelper {
  // Every request and hello received, in order, across restarts.
  readonly requests: Array<{ method: string; params: unknown }> = [];
  readonly hellos: Hello[] = [];
  readonly pairings: Array<{ clientName: string }> = [];
  private readonly tokens = new Map<string, string>();
  private readonly vms = new Map<string, VmSummary>();
  private readonly sockets = new Set<WebSocket>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private server: Server | null = null;
  private listenPort = 0;

  constructor(private readonly opts: FixtureOptions) {
    for (const vm of opts.vms) this.vms.set(vm.config.id, VmSummary.parse(vm));
  }

  get port(): number {
    return this.listenPort;
  }

  // `127.0.0.1:<port>`, as a pairing link's ?helper= names it.
  get address(): string {
    return `127.0.0.1:${this.listenPort}`;
  }

  // Listens on 127.0.0.1: a free port the first time, the same port after stop().
  async start(): Promise<void> {
    const server = createServer((req, res) => this.http(req, res));
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket as Socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
    this.listenPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  // Stops as the helper does: close frames (1001) to every client, then the listener.
  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    for (const ws of this.sockets) {
      ws.close(1001, 'the helper is stopping; reconnect in a moment');
      setTimeout(() => ws.terminate(), 1_000).unref();
    }
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  // Pushes a VM's new state to every client, as the engine's state events do.
  setState(id: string, state: VmState, extra: Partial<VmStatus> = {}): VmStatus {
    const vm = this.vms.get(id);
    if (vm === undefined) throw new Error(`no fixture VM ${id}`);
    const status: VmStatus = { ...vm.status, state, since: new Date().toISOString(), pid: state === 'stopped' ? null : 4242, ...extra };
    this.vms.set(id, { config: vm.config, status });
    this.broadcast('vm.state', status);
    return status;
  }

  // A VM created (or removed) by another client: the engine says only "changed" / "removed".
  addVm(vm: VmSummary): void {
    this.vms.set(vm.config.id, VmSummary.parse(vm));
    this.broadcast('vm.changed', { id: vm.config.id });
  }

  removeVm(id: string): void {
    this.vms.delete(id);
    this.broadcast('vm.removed', { id });
  }

  broadcast(event: string, data: unknown): void {
    for (const ws of this.sockets) ws.send(JSON.stringify({ event, data }));
  }

  // POST /api/pair with CORS for the allowed origin, like the helper's pair route.
  private http(req: IncomingMessage, res: ServerResponse): void {
    const cors = { 'Access-Control-Allow-Origin': this.opts.origin, Vary: 'Origin' };
    if (req.url !== '/api/pair' || req.headers.origin !== this.opts.origin) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('forbidden');
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'POST', 'Access-Control-Allow-Headers': 'Content-Type' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: string; clientName?: string };
      // Case, spaces and dashes do not matter, as with the helper's codes.
      const typed = (body.code ?? '').toUpperCase().replace(/[\s-]/g, '');
      if (typed !== FIXTURE_CODE.replace('-', '') || typeof body.clientName !== 'string') {
        res.writeHead(401, { ...cors, 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'that pairing code is wrong, expired or used' } }));
        return;
      }
      const token = randomBytes(32).toString('base64url');
      const tokenId = `t${this.tokens.size + 1}`;
      this.tokens.set(token, body.clientName);
      this.pairings.push({ clientName: body.clientName });
      res.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify({ token, tokenId }));
    });
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    if (req.url !== '/api' || req.headers.origin !== this.opts.origin) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.session(ws));
  }

  private session(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    let welcomed = false;
    ws.on('message', (data) => {
      const frame: unknown = JSON.parse(data.toString());
      if (!welcomed) {
        const hello = Hello.safeParse(frame);
        if (!hello.success) return ws.close(1008, 'the first message must be a hello');
        this.hellos.push(hello.data);
        if (!this.tokens.has(hello.data.token)) return ws.close(4401, 'this token is not valid; pair this client again');
        welcomed = true;
        ws.send(JSON.stringify({ type: 'welcome', helperVersion: '0.1.0-fixture', protocol: PROTOCOL_VERSION, capabilities: ['vm.list', 'vm.get', 'vm.start'] }));
        return;
      }
      const request = RequestMessage.parse(frame);
      this.requests.push({ method: request.method, params: request.params });
      try {
        ws.send(JSON.stringify({ id: request.id, result: this.answer(request.method, request.params) }));
      } catch (e) {
        const error = isOpenUtmError(e) ? e.toJSON() : { code: 'INTERNAL', message: String(e) };
        ws.send(JSON.stringify({ id: request.id, error }));
      }
    });
  }

  private answer(method: string, params: unknown): unknown {
    const id = (params as { id?: string } | undefined)?.id ?? '';
    switch (method) {
      case 'vm.list':
        return [...this.vms.values()];
      case 'vm.get':
        return this.vm(id);
      case 'vm.start':
        return this.act(id, 'start', 'starting');
      case 'vm.pause':
        return this.act(id, 'pause', 'paused');
      case 'vm.resume':
        return this.act(id, 'resume', 'running');
      case 'vm.stop':
        return this.act(id, 'stop', 'stopping');
      case 'vm.kill':
        return this.act(id, 'kill', 'stopped');
      default:
        throw new OpenUtmError('BAD_REQUEST', `the fixture has no method ${method}`);
    }
  }

  private vm(id: string): VmSummary {
    const vm = this.vms.get(id);
    if (vm === undefined) throw new OpenUtmError('NOT_FOUND', `no VM ${id}`);
    return vm;
  }

  // Refuses with shared's rule, as the helper does; otherwise answers with the new state.
  private act(id: string, action: VmAction, next: VmState): VmStatus {
    const vm = this.vm(id);
    if (!canPerform(vm.status.state, action)) throw new OpenUtmError('INVALID_STATE', whyNot(vm.status.state, action)!);
    const status: VmStatus = { ...vm.status, state: next, since: new Date().toISOString() };
    this.vms.set(id, { config: vm.config, status });
    return status;
  }
}

// A VM as the helper would list it; `config` fields left out take the schema's defaults.
export function fixtureVm(id: string, name: string, preset: VmConfig['preset'], state: VmState, system: { cpus: number; memoryMiB: number }, diskMiB: number): VmSummary {
  const at = '2025-01-01T09:00:00.000Z';
  const config = VmConfig.parse({
    schemaVersion: 1,
    id,
    name,
    preset,
    createdAt: at,
    updatedAt: at,
    system,
    disks: diskMiB > 0 ? [{ id: 'disk0', file: 'disk0.qcow2', format: 'qcow2', sizeMiB: diskMiB }] : [],
  });
  return { config, status: { id, name, state, since: new Date().toISOString(), pid: state === 'stopped' ? null : 4242, crash: null, lastShutdown: null } };
}
