import type { RawData, WebSocket } from 'ws';
import {
  FEATURES,
  Hello,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  RequestMessage,
  type ProtocolError,
  type Welcome,
} from '@openutm/shared';
import type { ApiAuth, CallerIdentity } from './api-auth';
import { CLOSE, closeReason } from './close-codes';
import type { EventFanout } from './event-fanout';
import type { Dispatch, RuntimeMethod } from './handlers';
import type { HelloWaitingRoom } from './hello-waiting-room';
import { badFrame, badParams, toProtocolError } from './protocol-errors';
import { WindowCounter } from './window-counter';

// How much one client may get away with; defaults in DEFAULT_LIMITS, tests shorten them.
export interface ConnectionLimits {
  // The first message must be a valid hello within this time.
  helloTimeoutMs: number;
  // Connections still waiting for their hello, at most; one more evicts the oldest (1013), so
  // unauthenticated sockets cannot pile up (each lives helloTimeoutMs at most) nor keep a new
  // client out.
  maxUnauthenticated: number;
  // A ping this often; a peer that has not answered the previous one is dropped.
  pingIntervalMs: number;
  // More than this many malformed messages within badWindowMs closes the connection.
  maxBadMessages: number;
  badWindowMs: number;
  // More requests than this unanswered at once closes the connection.
  maxInFlight: number;
  // A client that stops reading is dropped once this much is queued for it.
  maxBufferedBytes: number;
  // Check every result against its schema (tests and development: a mismatch is a helper bug).
  validateResults: boolean;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  helloTimeoutMs: 5_000,
  maxUnauthenticated: 32,
  pingIntervalMs: 30_000,
  maxBadMessages: 20,
  badWindowMs: 10_000,
  maxInFlight: 64,
  maxBufferedBytes: 4 * 1024 * 1024,
  validateResults: false,
};

// What a connection shares with the server and every other connection.
export interface ConnectionContext {
  auth: ApiAuth;
  dispatch: Dispatch;
  events: EventFanout;
  helperVersion: string;
  limits: ConnectionLimits;
  log: (line: string) => void;
  // The connections that have not completed hello yet (shared by all of them).
  unauthenticated: HelloWaitingRoom;
  // Notes (in the log, counted) that the connection that waited longest was closed for a newcomer.
  evictedWaiting: () => void;
}

type RequestId = RequestMessage['id'];

// Speaks the protocol on one WebSocket: hello → welcome, then requests and events. Untrusted
// frames are parsed before anything acts on them; nothing a client sends can throw out of here.
export function serveApiConnection(ws: WebSocket, remote: string, ctx: ConnectionContext): void {
  const { limits, log } = ctx;
  let phase: 'hello' | 'ready' | 'revoked' | 'closed' = 'hello';
  let caller: CallerIdentity | null = null;
  let inFlight = 0;
  let answeredPing = true;
  const badMessages = new WindowCounter(limits.maxBadMessages, limits.badWindowMs);
  const cleanups: Array<() => void> = [];
  // Client names are chosen by clients; quoted so they cannot forge log lines.
  const who = () => (caller ? `${JSON.stringify(caller.name)} (${remote})` : remote);
  const uncount = ctx.unauthenticated.enter(() => {
    ctx.evictedWaiting();
    shut(CLOSE.TRY_AGAIN, `too many connections were waiting to say hello (${limits.maxUnauthenticated}) and this one waited longest; send hello at once after connecting`);
  });

  const helloTimer = setTimeout(
    () => shut(CLOSE.POLICY, `no hello within ${limits.helloTimeoutMs / 1000} s; send {type:"hello", token, protocol, client} first`),
    limits.helloTimeoutMs,
  );
  const pinger = setInterval(() => {
    if (!answeredPing) {
      log(`dropping ${who()}: it did not answer a ping`);
      cleanup();
      ws.terminate();
      return;
    }
    answeredPing = false;
    ws.ping();
  }, limits.pingIntervalMs);
  cleanups.push(() => clearTimeout(helloTimer), () => clearInterval(pinger), uncount);

  ws.on('pong', () => (answeredPing = true));
  ws.on('close', cleanup);
  // ws reports oversized frames and invalid UTF-8 here, then closes (1009, 1007) by itself.
  ws.on('error', (e) => log(`connection from ${who()}: ${e.message}`));
  ws.on('message', (data, isBinary) => {
    try {
      if (phase === 'hello') onHello(data, isBinary);
      else if (phase === 'ready') onRequest(data, isBinary);
    } catch (e) {
      log(`internal error on a message from ${who()}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      shut(CLOSE.INTERNAL, 'the helper failed on this message; see its log');
    }
  });

  function onHello(data: RawData, isBinary: boolean): void {
    const hello = Hello.safeParse(isBinary ? undefined : parseJson(data));
    if (!hello.success) {
      shut(CLOSE.POLICY, 'the first message must be {type:"hello", token, protocol, client}');
      return;
    }
    const identity = ctx.auth.checkToken(hello.data.token);
    if (!identity.ok) {
      shut(CLOSE.UNAUTHORIZED, identity.message);
      return;
    }
    if (hello.data.protocol < MIN_PROTOCOL_VERSION) {
      shut(
        CLOSE.UPGRADE_CLIENT,
        `this client speaks protocol ${hello.data.protocol}; the helper needs ${MIN_PROTOCOL_VERSION} or newer: update the OpenUTM app or CLI`,
      );
      return;
    }
    clearTimeout(helloTimer);
    uncount();
    caller = { tokenId: identity.tokenId, name: identity.name, remote };
    const tokenId = identity.tokenId;
    cleanups.push(
      ctx.auth.onRevoked((revoked) => {
        if (revoked !== tokenId) return;
        // Nothing more is read from this client; the close waits a turn so that a client that
        // revoked itself still gets the answer to its auth.revoke first.
        phase = 'revoked';
        setImmediate(() => shut(CLOSE.UNAUTHORIZED, "this client's token was revoked; pair it again to reconnect"));
      }),
    );
    phase = 'ready';
    const welcome: Welcome = {
      type: 'welcome',
      helperVersion: ctx.helperVersion,
      protocol: Math.min(hello.data.protocol, PROTOCOL_VERSION),
      capabilities: [...ctx.dispatch.keys(), ...Object.values(FEATURES)],
    };
    sendFrame(JSON.stringify(welcome));
    cleanups.push(ctx.events.subscribe(sendFrame));
  }

  function onRequest(data: RawData, isBinary: boolean): void {
    if (isBinary) return refuse(null, badFrame('binary frames are not part of the protocol; send JSON text'));
    const json = parseJson(data);
    if (json === NOT_JSON) return refuse(null, badFrame('the message is not JSON; send {id, method, params}'));
    const request = RequestMessage.safeParse(json);
    if (!request.success) return refuse(idOf(json), badFrame('the message is not a request; send {id, method, params}'));
    const { id, method: name, params } = request.data;
    const method = ctx.dispatch.get(name);
    if (method === undefined) {
      return refuse(id, badFrame(`unknown method ${JSON.stringify(name)}; the welcome's capabilities list what this helper serves`));
    }
    const parsed = method.params.safeParse(params);
    if (!parsed.success) return refuse(id, badParams(name, parsed.error));
    if (inFlight >= limits.maxInFlight) {
      shut(CLOSE.POLICY, `more than ${limits.maxInFlight} requests in flight; wait for answers before sending more`);
      return;
    }
    inFlight++;
    void run(id, name, method, parsed.data)
      .catch((e: unknown) => log(`could not answer ${name} for ${who()}: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => inFlight--);
  }

  async function run(id: RequestId, name: string, method: RuntimeMethod, params: unknown): Promise<void> {
    let reply: { id: RequestId; result: unknown } | { id: RequestId; error: ProtocolError };
    try {
      const result = await method.run(params, caller!);
      if (limits.validateResults) {
        const checked = method.result.safeParse(result);
        if (!checked.success) throw new Error(`${name} returned a result its schema refuses: ${checked.error.message}`);
      }
      reply = { id, result };
    } catch (e) {
      reply = { id, error: toProtocolError(e, log, name) };
    }
    sendFrame(encode(reply, name));
  }

  // A result or error details that JSON cannot carry (a cycle, a BigInt) is a helper bug.
  function encode(reply: { id: RequestId }, name: string): string {
    try {
      return JSON.stringify(reply);
    } catch (e) {
      return JSON.stringify({ id: reply.id, error: toProtocolError(e, log, `encoding the answer to ${name}`) });
    }
  }

  // A malformed message is answered and counted; past the flood limit the connection ends.
  function refuse(id: RequestId | null, error: ProtocolError): void {
    if (badMessages.hit()) {
      shut(CLOSE.POLICY, `more than ${limits.maxBadMessages} malformed messages in ${limits.badWindowMs / 1000} s; fix the client and reconnect`);
      return;
    }
    sendFrame(JSON.stringify({ id, error }));
  }

  function sendFrame(frame: string): void {
    if (phase === 'closed' || ws.readyState !== ws.OPEN) return;
    ws.send(frame);
    // Replies and events pile up in memory when a client stops reading; drop it instead.
    if (ws.bufferedAmount > limits.maxBufferedBytes) {
      log(`dropping ${who()}: it is not reading (${ws.bufferedAmount} bytes queued)`);
      shut(CLOSE.TRY_AGAIN, 'you stopped reading messages and too many queued up; reconnect');
    }
  }

  function cleanup(): void {
    phase = 'closed';
    for (const undo of cleanups.splice(0)) undo();
  }

  function shut(code: number, reason: string): void {
    cleanup();
    if (ws.readyState === ws.OPEN) ws.close(code, closeReason(reason));
    // ws waits up to 30 s for the peer's closing frame; a stranger that never said hello gets a
    // second, so silent sockets cannot hold connections open past their eviction.
    if (caller === null) setTimeout(() => ws.terminate(), UNAUTHENTICATED_CLOSE_GRACE_MS).unref();
  }
}

const NOT_JSON = Symbol('not JSON');
const UNAUTHENTICATED_CLOSE_GRACE_MS = 1_000;

function parseJson(data: RawData): unknown {
  const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch {
    return NOT_JSON;
  }
}

// Answer a broken request under its own id when the id itself is fine, so the client can match it.
function idOf(json: unknown): RequestId | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !Object.hasOwn(json, 'id')) return null;
  const id = RequestMessage.shape.id.safeParse((json as { id: unknown }).id);
  return id.success ? id.data : null;
}
