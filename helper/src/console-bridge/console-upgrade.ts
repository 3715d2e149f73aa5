import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ConsoleChannel, canPerform, isOpenUtmError, whyNot, type ErrorCode, type VmStatus } from '@openutm/shared';
import { connectDisplay, describeEndpoint, type DisplayConnection } from './connect-endpoint';
import { defaultLog, type ConsoleLog } from './console-log';
import type { ConsoleTarget } from './console-target';
import type { ConsoleOwners } from './console-owners';
import { describeRefusal, type ConsoleTickets } from './console-tickets';
import type { SerialHub } from './serial-hub';
import { attachSerialWebSocket } from './serial-websocket';
import { SpiceSessions } from './spice-sessions';
import { BRIDGE_DEFAULTS, bridgeWebSocket, type BridgeOptions } from './ws-unix-bridge';

// The part of the engine the console needs (VmEngine has it); narrow so tests can stand in.
export interface ConsoleEngine {
  get(id: string): Promise<{ status: VmStatus }>;
  consoleTarget(id: string): Promise<ConsoleTarget>;
  serialHub(id: string): SerialHub;
}

// What the upgrade handler is built from: the engine, the ticket book, and optional limits.
export interface ConsoleUpgradeDeps {
  engine: ConsoleEngine;
  tickets: ConsoleTickets;
  // Where open consoles are remembered by the token that asked for them (ended on revocation).
  owners?: ConsoleOwners;
  log?: ConsoleLog;
  // Limits of the display bridges (defaults: BRIDGE_DEFAULTS).
  bridge?: Omit<BridgeOptions, 'log' | 'label'>;
  // Largest frame a browser may send; SPICE and VNC input messages are small.
  maxPayload?: number;
}

// Called by the API server for an upgrade of /console/<vmId>?ticket=…[&channel=serial], after
// it checked Host and Origin. Never throws; on refusal the HTTP answer is written on the socket.
export type ConsoleUpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, vmId: string, ticket: string) => void;

const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

// HTTP status for each engine error code a console open can meet.
const STATUS_FOR: Partial<Record<ErrorCode, number>> = {
  NOT_FOUND: 404,
  INVALID_STATE: 409,
  CONFLICT: 409,
  QEMU_FAILED: 502,
  QEMU_NOT_FOUND: 500,
};

// Builds the upgrade handler: ticket → VM state → target → connect to QEMU → only then finish
// the WebSocket handshake. Any failure answers 400/403/404/409/502 and destroys the socket.
export function createConsoleUpgradeHandler(deps: ConsoleUpgradeDeps): ConsoleUpgradeHandler {
  const log = deps.log ?? defaultLog;
  const sessions = new SpiceSessions(deps.bridge?.closeGraceMs ?? BRIDGE_DEFAULTS.closeGraceMs);
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: deps.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    // websockify and spice-html5 speak the "binary" subprotocol; clients offering none are fine.
    handleProtocols: (offered) => (offered.has('binary') ? 'binary' : false),
  });
  return (req, socket, head, vmId, ticket) => {
    // Until the handshake completes nobody else listens for errors on this socket.
    socket.on('error', () => undefined);
    openConsole({ ...deps, log, wss, sessions }, { req, socket, head, vmId, ticket }).catch((e: unknown) => {
      log(`console upgrade for VM ${vmId} failed unexpectedly: ${(e as Error).message}`);
      refuse(socket, 500, 'the console could not be opened; see the helper log');
    });
  };
}

interface UpgradeRequest {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  vmId: string;
  ticket: string;
}

interface UpgradeContext extends ConsoleUpgradeDeps {
  log: ConsoleLog;
  wss: WebSocketServer;
  sessions: SpiceSessions;
}

async function openConsole(deps: UpgradeContext, r: UpgradeRequest): Promise<void> {
  const { log, wss } = deps;
  const channel = channelOf(r.req.url);
  if (channel === null) return refuse(r.socket, 400, 'unknown console channel; use channel=serial or leave it out for the display');
  const verdict = deps.tickets.consume(r.vmId, r.ticket, channel);
  if (!verdict.ok) return refuse(r.socket, 403, describeRefusal(verdict.reason));
  const owner = verdict.owner;
  const track = (ws: WebSocket) => {
    if (owner !== null) deps.owners?.track(owner, ws);
  };
  try {
    const { status } = await deps.engine.get(r.vmId);
    if (!canPerform(status.state, 'console')) return refuse(r.socket, 409, whyNot(status.state, 'console') ?? 'the VM cannot show a console now');
    if (channel === 'serial') {
      const hub = deps.engine.serialHub(r.vmId);
      return accept(wss, r, (ws) => {
        track(ws);
        attachSerialWebSocket(ws, hub, { log, label: `VM ${r.vmId} serial console` });
      });
    }
    const target = await deps.engine.consoleTarget(r.vmId);
    const vm = await connectDisplay(target.endpoint);
    if (r.socket.destroyed) {
      vm.socket.destroy();
      return;
    }
    if (deps.sessions.isEnding(verdict.session)) {
      vm.socket.destroy();
      return refuse(r.socket, 410, 'this console session has ended; ask for a new ticket with console.open');
    }
    const label = `VM ${r.vmId} ${target.protocol} (${describeEndpoint(target.endpoint)})`;
    const join = () => (target.protocol === 'spice' ? deps.sessions.join(verdict.session) : undefined);
    return accept(
      wss,
      r,
      (ws) => {
        track(ws);
        bridgeWebSocket(ws, r.socket, vm, { ...deps.bridge, log, label, session: join(), spiceAgentWindow: target.protocol === 'spice' });
      },
      vm,
    );
  } catch (e) {
    if (!isOpenUtmError(e)) throw e;
    return refuse(r.socket, STATUS_FOR[e.code] ?? 500, e.message);
  }
}

// Finishes the handshake; ws answers 400 itself (and never calls back) if the request is not a
// valid WebSocket upgrade, so the VM connection is dropped when the browser socket closes.
function accept(wss: WebSocketServer, r: UpgradeRequest, use: (ws: WebSocket) => void, vm?: DisplayConnection): void {
  let accepted = false;
  r.socket.once('close', () => {
    if (!accepted) vm?.socket.destroy();
  });
  wss.handleUpgrade(r.req, r.socket, r.head, (ws) => {
    accepted = true;
    use(ws);
  });
}

// "display" unless the query says channel=serial; null for anything else.
function channelOf(url: string | undefined): ConsoleChannel | null {
  const raw = new URL(url ?? '/', 'http://localhost').searchParams.get('channel');
  if (raw === null || raw === '') return 'display';
  const parsed = ConsoleChannel.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

// Answers the upgrade with a plain HTTP error and closes; the WebSocket never opens.
function refuse(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = `${message}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      '\r\n' +
      body,
  );
}
