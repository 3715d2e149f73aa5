import {
  CLOSE,
  EventMessage,
  METHODS,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  ResponseMessage,
  Welcome,
  OpenUtmError,
  PendingCalls,
  type Hello,
  type MethodName,
  type MethodParams,
  type MethodResult,
} from '@openutm/shared';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { connectionError } from './client-errors';


// Where the connection is, as the banner and header say it.
export type ConnectionPhase =
  // First attempt since the page loaded (or since a new token / helper address).
  | 'connecting'
  // Welcomed: calls work and events flow.
  | 'connected'
  // A working connection dropped; trying again.
  | 'reconnecting'
  // Nothing answered at the helper's address (or it refused us); retrying with backoff.
  | 'helper-offline'
  // No token for this helper, or the helper refused the one we have: pair first.
  | 'unpaired'
  // The helper and this app share no protocol version: one of them must be updated.
  | 'incompatible';

export interface ConnectionStatus {
  phase: ConnectionPhase;
  // When the next attempt starts (ms since the epoch), while reconnecting or offline.
  retryAt: number | null;
  // Failed attempts since the last welcome.
  failures: number;
  // What the helper said in its welcome, while connected.
  welcome: Welcome | null;
  // The helper's own words when it closed or refused the connection.
  reason: string | null;
}

export interface ConnectionOptions {
  // ws://127.0.0.1:47320/api
  url: string;
  // Read at every attempt, so a token saved by pairing is used by the next one.
  token: () => string | null;
  client: Hello['client'];
  // Opens the socket; the browser's WebSocket by default (tests pass the `ws` package's).
  openSocket?: (url: string) => WebSocket;
  // From open to welcome (default 5 s, the helper's own hello limit).
  helloTimeoutMs?: number;
  backoff?: BackoffOptions;
  onStatus: (status: ConnectionStatus) => void;
  // A validated `{event, data}`; the data is checked against EVENTS by the receiver.
  onEvent: (event: string, data: unknown) => void;
  // The helper closed with 4401: the token is unknown or was revoked.
  onUnauthorized: (reason: string) => void;
}

// How long a call may wait for its answer unless the caller says otherwise.
export const DEFAULT_CALL_TIMEOUT_MS = 15_000;

// The one WebSocket to the helper: hello → welcome, calls tracked by id with timeouts, events
// handed on, and reconnection with backoff. Components never see it; api.ts wraps it.
export class HelperConnection {
  private socket: WebSocket | null = null;
  private welcomed = false;
  private running = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private helloTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly pending = new PendingCalls();
  private status: ConnectionStatus = { phase: 'connecting', retryAt: null, failures: 0, welcome: null, reason: null };

  constructor(private readonly opts: ConnectionOptions) {}

  get current(): ConnectionStatus {
    return this.status;
  }

  // Starts connecting and keeps the connection up until stop().
  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt();
  }

  // Closes for good: no more attempts, waiting calls fail.
  stop(): void {
    this.running = false;
    this.clearTimers();
    this.drop(1000, 'the page closed the connection');
  }

  // Tries at once instead of waiting out the backoff ("Retry now", a new token, back online).
  // A fresh start: the next failure reads as offline again, the backoff starts over.
  reconnectNow(): void {
    if (!this.running) return;
    // An attempt under way reads the token when it opens; closing it now would only add noise.
    if (this.socket !== null && this.socket.readyState === 0) return;
    this.clearTimers();
    this.drop(1000, 'reconnecting');
    this.set({ phase: 'connecting', retryAt: null, failures: 0, welcome: null, reason: null });
    this.attempt();
  }

  // Sends one request and resolves with its result after checking it against METHODS.
  call<M extends MethodName>(method: M, params: MethodParams<M>, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<MethodResult<M>> {
    const socket = this.socket;
    if (socket === null || !this.welcomed) {
      return Promise.reject(connectionError('closed', `not connected to the helper; cannot ${method} now`));
    }
    return new Promise<unknown>((resolve, reject) => {
      const id = this.pending.add(
        method,
        timeoutMs,
        () => connectionError('timeout', `the helper did not answer ${method} within ${Math.round(timeoutMs / 1000)} s`),
        resolve,
        reject,
      );
      socket.send(JSON.stringify({ id, method, params }));
    }).then((raw) => {
      const parsed = METHODS[method].result.safeParse(raw);
      if (!parsed.success) {
        throw connectionError('protocol', `the helper's answer to ${method} does not match protocol ${PROTOCOL_VERSION}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      }
      return parsed.data as MethodResult<M>;
    });
  }

  // One connection attempt: without a token there is nothing to try.
  private attempt(): void {
    this.retryTimer = null;
    if (this.opts.token() === null) {
      this.set({ phase: 'unpaired', retryAt: null, welcome: null, reason: null });
      return;
    }
    if (this.status.phase === 'unpaired' || this.status.phase === 'incompatible') this.set({ phase: 'connecting', retryAt: null, reason: null });
    else if (this.status.retryAt !== null) this.set({ retryAt: null });
    let socket: WebSocket;
    try {
      socket = (this.opts.openSocket ?? ((url) => new WebSocket(url)))(this.opts.url);
    } catch (e) {
      // A malformed URL or a blocked scheme throws synchronously; it will not get better by itself.
      this.scheduleRetry({ phase: 'helper-offline', reason: e instanceof Error ? e.message : String(e) });
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      const token = this.opts.token();
      if (token === null) {
        this.drop(1000, 'not paired');
        this.set({ phase: 'unpaired', retryAt: null, welcome: null, reason: null });
        return;
      }
      const hello: Hello = { type: 'hello', token, protocol: PROTOCOL_VERSION, client: this.opts.client };
      socket.send(JSON.stringify(hello));
      const helloMs = this.opts.helloTimeoutMs ?? 5_000;
      this.helloTimer = setTimeout(() => this.failHandshake(`no welcome within ${helloMs / 1000} s`), helloMs);
    };
    socket.onmessage = (ev: MessageEvent) => {
      if (this.socket !== socket || typeof ev.data !== 'string') return;
      let json: unknown;
      try {
        json = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (this.welcomed) this.onMessage(json);
      else this.onWelcome(json);
    };
    // 'close' always follows and says what matters.
    socket.onerror = () => undefined;
    socket.onclose = (ev: CloseEvent) => {
      if (this.socket !== socket) return;
      this.onClosed(ev.code, ev.reason);
    };
  }

  private onWelcome(json: unknown): void {
    const welcome = Welcome.safeParse(json);
    if (!welcome.success) {
      this.failHandshake('the first answer was not a welcome; is this an OpenUTM helper?');
      return;
    }
    if (this.helloTimer !== null) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    const { protocol } = welcome.data;
    if (protocol < MIN_PROTOCOL_VERSION || protocol > PROTOCOL_VERSION) {
      const who = protocol < MIN_PROTOCOL_VERSION ? 'the helper is older than this app: update the helper' : 'this app is older than the helper: reload the page';
      this.drop(1000, 'incompatible protocol');
      this.set({ phase: 'incompatible', retryAt: null, welcome: null, reason: `the helper speaks protocol ${protocol}, this app ${MIN_PROTOCOL_VERSION}–${PROTOCOL_VERSION}; ${who}` });
      return;
    }
    this.welcomed = true;
    this.set({ phase: 'connected', retryAt: null, failures: 0, welcome: welcome.data, reason: null });
  }

  private onMessage(json: unknown): void {
    if (typeof json === 'object' && json !== null && 'event' in json) {
      const event = EventMessage.safeParse(json);
      if (event.success) this.opts.onEvent(event.data.event, event.data.data);
      return;
    }
    const answer = ResponseMessage.safeParse(json);
    if (!answer.success) return;
    const call = this.pending.take(answer.data.id);
    if (call === null) return;
    if ('error' in answer.data) call.reject(new OpenUtmError(answer.data.error.code, answer.data.error.message, answer.data.error.details));
    else call.resolve(answer.data.result);
  }

  // After any close: fail the waiting calls, then pair again, give up, or try again later.
  private onClosed(code: number, reason: string): void {
    const wasWelcomed = this.welcomed;
    this.socket = null;
    this.welcomed = false;
    this.pending.rejectAll((method) => connectionError('closed', `the connection to the helper closed before it answered ${method}`));
    if (this.helloTimer !== null) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    if (!this.running) return;
    if (code === CLOSE.UNAUTHORIZED) {
      this.opts.onUnauthorized(reason);
      this.set({ phase: 'unpaired', retryAt: null, welcome: null, reason: reason || 'the helper does not know this browser; pair it again' });
      return;
    }
    if (code === CLOSE.UPGRADE_CLIENT) {
      this.set({ phase: 'incompatible', retryAt: null, welcome: null, reason: reason || 'the helper needs a newer app: reload the page' });
      return;
    }
    this.scheduleRetry({ phase: wasWelcomed ? 'reconnecting' : 'helper-offline', welcome: null, reason: reason || null });
  }

  // Reports the failure and when the next attempt comes in one status change.
  private scheduleRetry(change: Partial<ConnectionStatus>): void {
    const delay = backoffDelay(this.status.failures, this.opts.backoff ?? DEFAULT_BACKOFF);
    this.set({ ...change, failures: this.status.failures + 1, retryAt: Date.now() + delay });
    this.retryTimer = setTimeout(() => this.attempt(), delay);
  }

  // Lets go of the current socket without waiting for its close event; waiting calls fail.
  private drop(code: number, reason: string): void {
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    this.welcomed = false;
    try {
      socket.close(code, reason);
    } catch {
      /* already closing */
    }
    this.pending.rejectAll((method) => connectionError('closed', `the connection to the helper closed before it answered ${method}`));
  }

  // Whatever answered did not complete the handshake: a failed attempt like any other.
  private failHandshake(reason: string): void {
    this.drop(4000, 'no valid welcome');
    this.onClosed(4000, reason);
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.helloTimer !== null) clearTimeout(this.helloTimer);
    this.retryTimer = null;
    this.helloTimer = null;
  }

  private set(change: Partial<ConnectionStatus>): void {
    this.status = { ...this.status, ...change };
    this.opts.onStatus(this.status);
  }
}
