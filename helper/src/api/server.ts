import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES, OpenUtmError, VmId, type HostFacts, type MethodName } from '@openutm/shared';
import type { VmEngine } from '../vm-service/vm-engine';
import { gatherHostFacts } from '../host/doctor';
import type { ApiAuth } from './api-auth';
import { DEFAULT_LIMITS, serveApiConnection, type ConnectionContext, type ConnectionLimits } from './api-connection';
import { CLOSE } from './close-codes';
import { createConnectionGate } from './connection-gate';
import { countedLog } from './counted-log';
import { EventFanout } from './event-fanout';
import { buildHandlers, dispatchTable, type EngineMethod, type PluggedHandlers } from './handlers';
import { allowedOrigins, checkHost, checkOrigin, normalizeOrigin } from './http-guards';
import { refuseUpgrade, replyText } from './http-replies';
import { HelloWaitingRoom } from './hello-waiting-room';
import { handlePair } from './pair-route';
import { qemuPeerCheck, type PeerCheck } from './qemu-peer-check';
import { SocketBudget } from './socket-budget';
import { createStaticHandler, type StaticHandler } from './static-files';
import type { WebRoot } from './web-root';

// Hands a console WebSocket upgrade (already past Host and Origin) to the console bridge,
// which checks the ticket and owns the socket from then on.
export type ConsoleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, vmId: string, ticket: string) => void;

// Required exactly when METHODS has methods that the engine handlers do not serve.
type PluggedOption = [Exclude<MethodName, EngineMethod>] extends [never] ? { handlers?: PluggedHandlers } : { handlers: PluggedHandlers };

export type ApiServerOptions = {
  engine: VmEngine;
  auth: ApiAuth;
  // 0 picks a free port (tests); OPENUTM_PORT is read by the caller.
  port: number;
  // Loopback only, by type: the security model assumes nothing else can reach the port.
  host?: '127.0.0.1';
  // Extra allowed UI origins (OPENUTM_ORIGINS, see parseOriginList); the helper's own two are added.
  origins: string[];
  // The web app: its static export's directory, or the single executable's assets; when
  // missing, a page says how to build it.
  webRoot?: string | WebRoot;
  consoleUpgrade?: ConsoleUpgrade;
  helperVersion: string;
  // For host.doctor; defaults to a fresh probe per call, so "I installed QEMU" shows at once.
  hostFacts?: () => Promise<HostFacts>;
  limits?: Partial<ConnectionLimits>;
  // Connections from the helper's own QEMU processes (guests, through user-mode networking) are
  // refused: on by default on Linux, where /proc tells; false turns it off (tests of the limits).
  peerCheck?: PeerCheck | false;
  // Plain-HTTP sockets at once (DEFAULT_MAX_HTTP_SOCKETS); the oldest idle one makes room.
  maxHttpSockets?: number;
  log?: (line: string) => void;
} & PluggedOption;

// A running API server.
export interface ApiServer {
  port: number;
  url: string;
  // Sends an event to every authenticated client (job.progress and the like).
  publish: EventFanout['publish'];
  // Closes every client (1001) and the listener; VMs keep running.
  close(): Promise<void>;
}

// The helper's one network face: static app, pairing, and the API WebSocket, all on loopback,
// every request and upgrade past the Host and Origin guards before any route sees it.
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`openutm api: ${line}\n`));
  const extraOrigins = opts.origins.map(normalizeOrigin);
  const plugged = (opts.handlers ?? {}) as PluggedHandlers;
  const dispatch = dispatchTable(buildHandlers(opts.engine, opts.hostFacts ?? (() => gatherHostFacts()), plugged));
  const events = new EventFanout(opts.engine, log);
  const limits: ConnectionLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const ctx: ConnectionContext = { auth: opts.auth, dispatch, events, helperVersion: opts.helperVersion, limits, log, unauthenticated: new HelloWaitingRoom(limits.maxUnauthenticated),
    evictedWaiting: countedLog(log, `closed connections that waited longest for their hello (${limits.maxUnauthenticated} were waiting)`),
  };
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  const consoleSockets = new Set<Duplex>();
  // Slow or stuck HTTP clients cannot hold the helper's sockets open: the timeouts are checked
  // every second (Node's default is every 30 s).
  const server = createServer({ connectionsCheckingInterval: 1_000, keepAliveTimeout: 5_000 });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const budget = new SocketBudget(opts.maxHttpSockets, countedLog(log, 'closed the oldest idle HTTP connections to make room for new ones'));
  const peerCheck = opts.peerCheck ?? (process.platform === 'linux' ? qemuPeerCheck(() => opts.engine.qemuPids()) : false);
  const gate = createConnectionGate({ http: server, budget, peerCheck: peerCheck === false ? undefined : peerCheck, log });
  let closing = false;

  const port = await listen(gate, opts.port, opts.host ?? '127.0.0.1').catch((e: unknown) => {
    events.close();
    throw e;
  });
  const allowlist = allowedOrigins(port, extraOrigins);
  const serveStatic: StaticHandler = createStaticHandler({ root: opts.webRoot, port });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    budget.setBusy(req.socket, true);
    res.once('close', () => budget.setBusy(req.socket, false));
    const host = checkHost(req.headers.host, port);
    if (!host.ok) return replyText(res, 403, host.reason);
    const pathname = (req.url ?? '/').split('?')[0]!;
    const isPair = pathname === '/api/pair';
    const origin = checkOrigin(req.headers.origin, allowlist, { required: isPair });
    if (!origin.ok) return replyText(res, 403, origin.reason);
    const failed = (e: unknown) => {
      log(`failed on ${req.method} ${pathname}: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) replyText(res, 500, 'the helper failed on this request; see its log');
      else res.destroy();
    };
    if (isPair) return void handlePair(req, res, req.headers.origin!, opts.auth, log).catch(failed);
    if (pathname === '/api') return replyText(res, 426, 'the API is a WebSocket: connect with ws://', { Upgrade: 'websocket' });
    // /console/<vm> is the bridge only as a WebSocket upgrade; a plain GET there is the /console
    // page's route data from the web export.
    if (pathname.startsWith('/api/')) return replyText(res, 404, 'no such API route');
    void serveStatic(req, res).catch(failed);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Refused (destroyed) or handed to a WebSocket: either way no longer an HTTP socket.
    budget.release(socket as Socket);
    socket.on('error', () => socket.destroy());
    if (closing) return refuseUpgrade(socket, 503, 'the helper is stopping');
    const host = checkHost(req.headers.host, port);
    if (!host.ok) return refuseUpgrade(socket, 403, host.reason);
    const origin = checkOrigin(req.headers.origin, allowlist, { required: true });
    if (!origin.ok) return refuseUpgrade(socket, 403, origin.reason);
    const [pathname = '/', query = ''] = (req.url ?? '/').split('?', 2);
    if (pathname === '/api') {
      const remote = req.socket.remoteAddress ?? 'unknown';
      return wss.handleUpgrade(req, socket, head, (ws) => serveApiConnection(ws, remote, ctx));
    }
    const consoleMatch = /^\/console\/([^/]+)$/.exec(pathname);
    if (consoleMatch === null) return refuseUpgrade(socket, 404, 'no WebSocket here; the API is at /api');
    if (opts.consoleUpgrade === undefined) return refuseUpgrade(socket, 404, 'this helper has no console bridge');
    const vmId = VmId.safeParse(consoleMatch[1]);
    if (!vmId.success) return refuseUpgrade(socket, 404, 'no such VM');
    const ticket = new URLSearchParams(query).get('ticket');
    if (!ticket) return refuseUpgrade(socket, 401, 'a console needs ?ticket= from console.open');
    consoleSockets.add(socket);
    socket.once('close', () => consoleSockets.delete(socket));
    try {
      opts.consoleUpgrade(req, socket, head, vmId.data, ticket);
    } catch (e) {
      log(`the console bridge failed on an upgrade: ${e instanceof Error ? e.message : String(e)}`);
      refuseUpgrade(socket, 500, 'the console bridge failed; see the helper log');
    }
  });

  server.on('clientError', (_e, socket: Duplex) => socket.destroy());
  server.on('error', (e) => log(`server error: ${e.message}`));

  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    publish: events.publish.bind(events),
    async close() {
      if (closing) return;
      closing = true;
      events.close();
      const closed = new Promise<void>((resolve) => gate.close(() => resolve()));
      await Promise.all([...wss.clients].map((ws) => closeGracefully(ws)));
      wss.close();
      for (const s of consoleSockets) s.destroy();
      server.closeAllConnections();
      // Ends the HTTP server's timeout checks (it never listened, so this "fails" harmlessly).
      server.close(() => undefined);
      await closed;
    },
  };
}

function listen(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        reject(new OpenUtmError('CONFLICT', `port ${port} on ${host} is in use; is another OpenUTM helper running? Stop it or set OPENUTM_PORT to a free port`));
      } else if (e.code === 'EACCES') {
        reject(new OpenUtmError('IO_ERROR', `not allowed to listen on ${host}:${port}; set OPENUTM_PORT to a port above 1023`));
      } else reject(e);
    };
    server.once('error', onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

// A close frame first, so clients know to reconnect later; a client that does not answer
// within a second is cut.
function closeGracefully(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve();
    const timer = setTimeout(() => ws.terminate(), 1_000);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (ws.readyState === ws.OPEN) ws.close(CLOSE.GOING_AWAY, 'the helper is stopping; reconnect in a moment');
    else ws.terminate();
  });
}
