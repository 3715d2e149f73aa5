import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { WebSocket, type RawData } from 'ws';
import { METHODS, OpenUtmError, PROTOCOL_VERSION, type HostFacts, type VmCreateRequest } from '@openutm/shared';
import { VmEngine } from '../../../src/vm-service/vm-engine';
import { lazyHostFacts } from '../../../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../../../src/runtime/runtime-paths';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../../src/api/server';
import type { ConnectionLimits } from '../../../src/api/api-connection';
import { ENGINE_METHODS, type PluggedHandlers } from '../../../src/api/handlers';
import type { WebRoot } from '../../../src/api/web-root';
import { MemoryAuth } from './memory-auth';
import type { PairingLimits } from '../../../src/auth/pairing';

const facts = lazyHostFacts();

// A real helper API on 127.0.0.1:<free port> over a real engine on a temp library.
export interface Harness {
  home: string;
  engine: VmEngine;
  auth: MemoryAuth;
  server: ApiServer;
  port: number;
  origin: string;
  wsUrl: string;
  // A token issued to "test client"; its id for revocation.
  token: string;
  tokenId: string;
  logs: string[];
  waitForLog(pattern: RegExp): Promise<string>;
  vmIds(): Promise<string[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  limits?: Partial<ConnectionLimits>;
  webRoot?: string | WebRoot;
  origins?: string[];
  consoleUpgrade?: ApiServerOptions['consoleUpgrade'];
  hostFacts?: () => Promise<HostFacts>;
  // Methods other modules own (console.*, auth.*): the ones not given answer INVALID_STATE.
  handlers?: Partial<PluggedHandlers>;
  // 'tcp': QEMU's consoles on loopback ports, as on Windows (the engine option of that name).
  endpoints?: 'unix' | 'tcp';
  // The guessing budget of pairing codes (the real PairingCodes), smaller for tests.
  pairingLimits?: Partial<PairingLimits>;
  // The server's TCP-level options (see ApiServerOptions).
  peerCheck?: ApiServerOptions['peerCheck'];
  maxHttpSockets?: number;
}

// The API tests exercise the server, not the console bridge or the token store, so plugged
// methods are stand-ins unless a test brings its own.
function pluggedStandIns(given: Partial<PluggedHandlers>): PluggedHandlers {
  const engine = new Set<string>(ENGINE_METHODS);
  const standIn = () => Promise.reject(new OpenUtmError('INVALID_STATE', 'this method is not served in the API tests'));
  const names = Object.keys(METHODS).filter((m) => !engine.has(m));
  return { ...Object.fromEntries(names.map((m) => [m, standIn])), ...given } as PluggedHandlers;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'openutm-api-'));
  const engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: facts, acceleratorOverride: 'tcg', endpoints: opts.endpoints });
  const auth = new MemoryAuth(opts.pairingLimits);
  const logs: string[] = [];
  const logWaiters: Array<{ pattern: RegExp; resolve: (l: string) => void }> = [];
  const server = await startApiServer({
    engine,
    auth,
    port: 0,
    origins: opts.origins ?? [],
    webRoot: opts.webRoot,
    consoleUpgrade: opts.consoleUpgrade,
    helperVersion: '0.0.0-test',
    hostFacts: opts.hostFacts ?? facts,
    handlers: pluggedStandIns(opts.handlers ?? {}),
    limits: { validateResults: true, ...opts.limits },
    peerCheck: opts.peerCheck,
    maxHttpSockets: opts.maxHttpSockets,
    log: (line) => {
      logs.push(line);
      for (const w of logWaiters.splice(0)) {
        if (w.pattern.test(line)) w.resolve(line);
        else logWaiters.push(w);
      }
    },
  });
  const { token, tokenId } = auth.issueToken('test client');
  return {
    home,
    engine,
    auth,
    server,
    port: server.port,
    origin: `http://127.0.0.1:${server.port}`,
    wsUrl: `ws://127.0.0.1:${server.port}/api`,
    token,
    tokenId,
    logs,
    waitForLog: (pattern) => {
      const seen = logs.find((l) => pattern.test(l));
      return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => logWaiters.push({ pattern, resolve }));
    },
    vmIds: async () => (await engine.list()).map((v) => v.config.id).sort(),
    async close() {
      // A test that failed halfway may leave a paused socket that would keep the process alive.
      ApiClient.terminateAll();
      await server.close();
      // Nor may its guests outlive it: a helper that closes leaves QEMU running, as for a user.
      for (const { config, status } of await engine.list()) {
        if (status.pid !== null) await engine.kill(config.id).catch(() => undefined);
      }
      await engine.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

// A VM that costs nothing to create: no disks, so no qemu-img.
export function cheapVm(name: string, extra: Partial<VmCreateRequest> = {}): VmCreateRequest {
  return { name, preset: 'linux-server', system: { memoryMiB: 128, cpus: 1 }, disks: [], sound: { enabled: false }, ...extra };
}

// Waits for something the server does after the client already knows (e.g. its side of a
// close); fails with `what` if it never happens. Not a timing assertion: the bound is generous.
export async function until(cond: () => boolean | Promise<boolean>, what: string, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export type Message = Record<string, unknown>;

// A test client over a real `ws` socket: queues every message, answers requests by id.
export class ApiClient {
  private static readonly live = new Set<WebSocket>();
  private readonly queue: Message[] = [];
  private readonly waiters: Array<{ pred: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
  private nextId = 1;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ApiClient.live.add(ws);
    ws.on('message', (data: RawData) => this.receive(data));
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        ApiClient.live.delete(ws);
        resolve({ code, reason: reason.toString() });
      }),
    );
    ws.on('error', () => undefined);
  }

  // Opens a socket (own origin unless told otherwise); rejects with the HTTP status if refused.
  static open(h: Pick<Harness, 'wsUrl' | 'origin'>, opts: { origin?: string; headers?: Record<string, string> } = {}): Promise<ApiClient> {
    const ws = new WebSocket(h.wsUrl, { origin: opts.origin ?? h.origin, headers: opts.headers });
    const client = new ApiClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  // Opened and past hello; returns the welcome too.
  static async ready(h: Harness, token = h.token): Promise<{ client: ApiClient; welcome: Message }> {
    const client = await ApiClient.open(h);
    client.send({ type: 'hello', token, protocol: PROTOCOL_VERSION, client: { name: 'api test', version: '0' } });
    const welcome = await client.next((m) => m.type === 'welcome');
    return { client, welcome };
  }

  static terminateAll(): void {
    for (const ws of ApiClient.live) ws.terminate();
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value));
  }

  // The next message (queued or future) matching pred; earlier non-matching ones stay queued.
  next(pred: (m: Message) => boolean = () => true): Promise<Message> {
    const i = this.queue.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]!);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  async request(method: string, params?: unknown): Promise<Message> {
    const id = this.nextId++;
    this.send({ id, method, params });
    return this.next((m) => m.id === id);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }

  private receive(data: RawData): void {
    const m = JSON.parse((data as Buffer).toString('utf8')) as Message;
    const w = this.waiters.findIndex((x) => x.pred(m));
    if (w >= 0) this.waiters.splice(w, 1)[0]!.resolve(m);
    else this.queue.push(m);
  }
}

// A raw HTTP request, so tests can send any Host, Origin and path they like.
export function rawRequest(
  port: number,
  opts: { method?: string; path?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: { host: `127.0.0.1:${port}`, ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString('utf8'), bytes });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

// A WebSocket handshake by hand: 'upgraded' if the server completed it (a security failure in
// the refusal tests), else the HTTP status and body it answered with.
export function tryUpgrade(
  port: number,
  opts: { path?: string; headers?: OutgoingHttpHeaders },
): Promise<{ upgraded: true } | { upgraded: false; status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: opts.path ?? '/api',
      headers: {
        host: `127.0.0.1:${port}`,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...opts.headers,
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ upgraded: true });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ upgraded: false, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}
