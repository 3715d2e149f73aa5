import type WebSocket from 'ws';
import { z } from 'zod';
import {
  EVENTS,
  EventMessage,
  MAX_MESSAGE_BYTES,
  METHODS,
  OpenUtmError,
  PendingCalls,
  ProtocolError,
  RequestMessage,
  type EventName,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type Welcome,
} from '@openutm/shared';
import { connectionError } from './client-errors';

const ErrorAnswer = z.object({ id: RequestMessage.shape.id.nullable(), error: ProtocolError });
const ResultAnswer = z.object({ id: RequestMessage.shape.id, result: z.unknown() }).refine((m) => 'result' in m);
import { handshake } from './handshake';


export interface ApiClientOptions {
  // ws://127.0.0.1:<port>/api
  url: string;
  token: string;
  // Named in hello; the helper's log and `openutm tokens` show it.
  clientName: string;
  clientVersion?: string;
  // Default: the helper's own origin, http://<host>:<port> of url.
  origin?: string;
  // Opening plus hello → welcome (default 10 s).
  connectTimeoutMs?: number;
  // How long a call may wait for its answer unless the call says otherwise (default 60 s).
  callTimeoutMs?: number;
  // Largest frame accepted from the helper (default 16 × the protocol's request limit).
  maxPayload?: number;
}

// What a listener of one event receives: the event's data after its schema.
export type EventData<E extends EventName> = z.infer<(typeof EVENTS)[E]>;

// The helper's origin for a ws:// URL: what a page served by the helper would send.
export function originFor(url: string): string {
  const u = new URL(url);
  return `${u.protocol === 'wss:' ? 'https:' : 'http:'}//${u.host}`;
}

// A Node client of the helper's WebSocket API for the CLI and tests: one connection, typed calls
// from shared's METHODS table, events. No reconnect: a CLI call that loses its helper fails.
export class ApiClient {
  private readonly pending = new PendingCalls();
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  private readonly closeListeners = new Set<(error: OpenUtmError) => void>();
  private closedWith: OpenUtmError | null = null;

  private constructor(
    private readonly socket: WebSocket,
    // What the helper said in welcome: its version, the agreed protocol, its capabilities.
    readonly welcome: Welcome,
    private readonly opts: Required<Pick<ApiClientOptions, 'url' | 'callTimeoutMs'>>,
  ) {
    socket.on('message', (data, isBinary) => {
      if (!isBinary) this.onFrame(data.toString());
    });
    socket.on('error', () => undefined); // 'close' follows and says what matters
    socket.on('close', (code, reason) => this.handleClose(code, reason.toString()));
  }

  // Connects, says hello and checks that the helper's protocol is one this client speaks.
  static async connect(options: ApiClientOptions): Promise<ApiClient> {
    const { socket, welcome } = await handshake({
      url: options.url,
      token: options.token,
      clientName: options.clientName,
      clientVersion: options.clientVersion ?? '0.0.0',
      origin: options.origin ?? originFor(options.url),
      timeoutMs: options.connectTimeoutMs ?? 10_000,
      maxPayload: options.maxPayload ?? 16 * MAX_MESSAGE_BYTES,
    });
    return new ApiClient(socket, welcome, { url: options.url, callTimeoutMs: options.callTimeoutMs ?? 60_000 });
  }

  // Calls one method. Params are checked against the schema first (BAD_REQUEST, nothing sent);
  // the result is checked before it is returned; a helper error comes back with its own code.
  call<M extends MethodName>(method: M, params: MethodParams<M>, options: { timeoutMs?: number } = {}): Promise<MethodResult<M>> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const spec = METHODS[method];
    const checked = spec.params.safeParse(params);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      return Promise.reject(
        new OpenUtmError('BAD_REQUEST', `${method}: ${issue ? `${issue.path.join('.') || 'params'}: ${issue.message}` : 'invalid params'}`, {
          issues: checked.error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message })),
        }),
      );
    }
    const timeoutMs = options.timeoutMs ?? this.opts.callTimeoutMs;
    return new Promise<MethodResult<M>>((resolve, reject) => {
      const onResult = (raw: unknown) => {
        const result = spec.result.safeParse(raw);
        if (result.success) resolve(result.data as MethodResult<M>);
        else reject(new OpenUtmError('INTERNAL', `the helper's answer to ${method} does not match this openutm's protocol (${result.error.issues[0]?.message ?? 'invalid'}); are the helper and openutm the same version?`));
      };
      const timeout = () => connectionError('timeout', `the helper did not answer ${method} within ${Math.round(timeoutMs / 1000)} s; it may still finish — check with \`openutm list\``, { method, timeoutMs });
      const id = this.pending.add(method, timeoutMs, timeout, onResult, reject);
      // Send what the caller wrote, not zod's output: the helper applies the defaults itself.
      this.socket.send(JSON.stringify({ id, method, params }), (e) => {
        if (e) this.pending.take(id)?.reject(connectionError('closed', `could not send ${method} to the helper: ${e.message}`, { method }));
      });
    });
  }

  // Subscribes to one event; returns the unsubscribe function. Data that does not match the
  // event's schema is dropped rather than handed on.
  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    const wrapped = listener as (data: unknown) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  // Called once when the connection ends, with why.
  onClose(listener: (error: OpenUtmError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  // Calls waiting for an answer right now.
  get pendingCalls(): number {
    return this.pending.size;
  }

  // Closes the connection; calls still waiting are rejected.
  close(): Promise<void> {
    if (this.socket.readyState === this.socket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close(1000, 'client done');
    });
  }

  private onFrame(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof frame === 'object' && frame !== null && 'event' in frame) {
      const parsed = EventMessage.safeParse(frame);
      if (parsed.success) this.emit(parsed.data.event, parsed.data.data);
      return;
    }
    // Error first: shared's ResponseMessage union lets `{id, error}` match its result branch
    // (result: unknown accepts a missing key) and strips the error.
    const failure = ErrorAnswer.safeParse(frame);
    const success = failure.success ? null : ResultAnswer.safeParse(frame);
    if (!failure.success && !success?.success) {
      this.answerMalformed(frame);
      return;
    }
    const call = this.pending.take(failure.success ? failure.data.id : success?.data?.id);
    if (!call) return; // a late answer to a call that timed out, or a connection-level error
    if (failure.success) call.reject(new OpenUtmError(failure.data.error.code, failure.data.error.message, failure.data.error.details));
    else call.resolve(success?.data?.result);
  }

  // An answer this client cannot parse still settles its call at once, instead of at the
  // timeout: a newer helper may use an error code this client does not know yet.
  private answerMalformed(frame: unknown): void {
    const f = frame as { id?: unknown; error?: { code?: unknown; message?: unknown } } | null;
    const call = this.pending.take(f?.id);
    if (!call) return;
    const helperCode = typeof f?.error?.code === 'string' ? f.error.code : undefined;
    const message = typeof f?.error?.message === 'string' ? f.error.message : `the helper's answer to ${call.method} is malformed; are the helper and openutm the same version?`;
    call.reject(new OpenUtmError('INTERNAL', message, helperCode ? { helperCode } : undefined));
  }

  private emit(event: string, data: unknown): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    const schema = (EVENTS as Record<string, z.ZodTypeAny>)[event];
    const parsed = schema ? schema.safeParse(data) : null;
    if (!parsed?.success) return;
    for (const listener of [...set]) listener(parsed.data);
  }

  private handleClose(code: number, reason: string): void {
    const said = reason ? `: ${reason}` : '';
    const clean = code === 1000 || code === 1005;
    this.closedWith = clean
      ? connectionError('closed', `the connection to the helper at ${this.opts.url} is closed`, { closeCode: code })
      : connectionError('closed', `the connection to the helper at ${this.opts.url} closed (code ${code}${said}); is the helper still running?`, { closeCode: code });
    const error = this.closedWith;
    this.pending.rejectAll((method) => connectionError('closed', `the connection to the helper closed before it answered ${method} (code ${code}${said}); the request may or may not have been carried out — check with \`openutm list\``, { method, closeCode: code }));
    for (const listener of [...this.closeListeners]) listener(error);
  }
}
