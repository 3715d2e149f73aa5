import net from 'node:net';
import { untilEndpointMayAccept } from './endpoint-wait';
import { QMP_DEFAULTS, type Limits, type QmpCloseInfo, type QmpConnectOptions, type QmpExecuteOptions, type QmpProtocolError } from './qmp-client-types';
import { OpenUtmError, isOpenUtmError } from '@openutm/shared';
import type { z } from 'zod';
import type { ControlEndpoint } from '../runtime/runtime-paths';
import { callListener, Fanout, type Unsubscribe } from './fanout';
import { LineReader } from './line-reader';
import { QmpRequests, type SettleResult } from './qmp-requests';
import {
  describeIssues,
  parseServerMessage,
  QmpStatusInfoSchema,
  QmpVersionInfoSchema,
  type QmpEvent,
  type QmpGreeting,
  type QmpServerMessage,
  type QmpShutdownData,
  type QmpStatusInfo,
  type QmpVersionInfo,
} from './qmp-messages';
import { CONNECT_RETRY_MAX_MS, connectFailure, describeEndpoint, isSocketMissing, notQmpFailure } from './qmp-connect-errors';

export { QMP_DEFAULTS, type QmpCloseInfo, type QmpConnectOptions, type QmpExecuteOptions, type QmpProtocolError } from './qmp-client-types';

// Events that arrive before the first onEvent() are held for it; past this many, oldest dropped.
const MAX_HELD_EVENTS = 256;
const LINE_EXCERPT_CHARS = 200;

// A QMP client for one monitor connection: negotiates capabilities, runs commands correlated by
// id, hands events to subscribers, and on disconnect fails every waiting call with QMP_CLOSED.
// It knows nothing about VMs; the VM service composes it with the process layer.
export class QmpClient {
  private readonly requests = new QmpRequests();
  private readonly events = new Fanout<QmpEvent>(MAX_HELD_EVENTS);
  private readonly closeListeners = new Fanout<QmpCloseInfo>();
  private readonly protocolErrors = new Fanout<QmpProtocolError>();
  private readonly reader: LineReader;
  private readonly closed: Promise<QmpCloseInfo>;
  private resolveClosed!: (info: QmpCloseInfo) => void;
  private greetingValue: QmpGreeting | null = null;
  private greetingWaiter: { resolve: (g: QmpGreeting) => void; reject: (e: Error) => void } | null = null;
  private socketError: Error | null = null;
  private closeRequested = false;
  private quitSent = false;
  private lastShutdown: QmpShutdownData | null = null;
  private closeInfo: QmpCloseInfo | null = null;

  private constructor(
    private readonly socket: net.Socket,
    readonly endpoint: string,
    private readonly options: Limits,
  ) {
    this.reader = new LineReader(options.maxLineBytes);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => (this.socketError ??= error));
    socket.on('close', () => this.onSocketClose());
  }

  // Opens the monitor, reads the greeting and sends qmp_capabilities; resolves ready for commands.
  // Fails with QMP_CLOSED when nothing listens there and QMP_TIMEOUT when the handshake stalls.
  static async connect(endpoint: ControlEndpoint, options: QmpConnectOptions = {}): Promise<QmpClient> {
    const { retry = false, retryUntil, ...limits } = options;
    const opts: Limits = { ...QMP_DEFAULTS, ...limits };
    const deadline = Date.now() + opts.timeoutMs;
    // Set before any wait below sees `retryUntil` settle (its callbacks run in order).
    let stopped = false;
    const stop = (): void => void (stopped = true);
    retryUntil?.then(stop, stop);
    let delay = 10;
    for (;;) {
      try {
        return await QmpClient.connectOnce(endpoint, opts, Math.max(deadline - Date.now(), 1));
      } catch (e) {
        if (!retry || stopped || !isSocketMissing(e) || deadline - Date.now() <= delay) throw e;
        await untilEndpointMayAccept(endpoint, delay, e, retryUntil);
        if (stopped) throw e;
        delay = Math.min(delay * 2, CONNECT_RETRY_MAX_MS);
      }
    }
  }

  // A unix socket and a Windows named pipe are both opened by path (libuv's pipe handle).
  private static async connectOnce(endpoint: ControlEndpoint, opts: Limits, timeoutMs: number): Promise<QmpClient> {
    const socket =
      endpoint.kind === 'tcp'
        ? net.createConnection({ host: endpoint.host, port: endpoint.port })
        : net.createConnection({ path: endpoint.path });
    const client = new QmpClient(socket, describeEndpoint(endpoint), opts);
    const handshake = client.handshake(timeoutMs);
    handshake.catch(() => undefined); // the deadline may win the race; its loser must not go unhandled
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new OpenUtmError(
            'QMP_TIMEOUT',
            `QEMU's monitor at ${client.endpoint} did not complete the QMP handshake within ${opts.timeoutMs} ms; another client may hold the monitor, or QEMU is hung`,
            { endpoint: client.endpoint, timeoutMs: opts.timeoutMs },
          ),
        );
      }, timeoutMs);
    });
    try {
      await Promise.race([handshake, deadline]);
      return client;
    } catch (e) {
      socket.destroy();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  // What QEMU said about itself when the connection opened.
  get greeting(): QmpGreeting {
    if (!this.greetingValue) throw new OpenUtmError('INTERNAL', 'the QMP greeting is read during connect()');
    return this.greetingValue;
  }

  // True once the connection has ended; every call from then on rejects with QMP_CLOSED.
  get isClosed(): boolean {
    return this.closeInfo !== null;
  }

  // Runs one command and resolves with its `return` value, unchecked (see executeChecked).
  // Rejects with QMP_ERROR when QEMU refuses, QMP_TIMEOUT when it does not answer in time,
  // QMP_CLOSED when the connection is or becomes closed.
  execute<T = unknown>(command: string, args?: Record<string, unknown>, opts: QmpExecuteOptions = {}): Promise<T> {
    if (this.closeInfo || this.closeRequested) return Promise.reject(this.closedError(command));
    let argsJson: string | undefined;
    try {
      argsJson = args === undefined ? undefined : JSON.stringify(args);
    } catch (e) {
      return Promise.reject(new OpenUtmError('INTERNAL', `the arguments of "${command}" are not JSON: ${(e as Error).message}`, { command }));
    }
    const timeoutMs = opts.timeoutMs ?? this.options.commandTimeoutMs;
    const { id, answer } = this.requests.start(command, timeoutMs);
    const line = `{"execute":${JSON.stringify(command)},${argsJson === undefined ? '' : `"arguments":${argsJson},`}"id":${id}}`;
    if (command === 'quit') this.quitSent = true;
    this.socket.write(`${line}\n`);
    return answer as Promise<T>;
  }

  // Runs a command and validates its answer, so callers get typed data or a clear QMP_ERROR.
  async executeChecked<S extends z.ZodType>(
    command: string,
    schema: S,
    args?: Record<string, unknown>,
    opts?: QmpExecuteOptions,
  ): Promise<z.output<S>> {
    const value = await this.execute<unknown>(command, args, opts);
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new OpenUtmError(
        'QMP_ERROR',
        `QEMU answered "${command}" with data in an unexpected shape (${describeIssues(parsed.error)}); this QEMU version may not be supported`,
        { command },
      );
    }
    return parsed.data;
  }

  // The VM's run state, e.g. { status: 'prelaunch', running: false }.
  queryStatus(opts?: QmpExecuteOptions): Promise<QmpStatusInfo> {
    return this.executeChecked('query-status', QmpStatusInfoSchema, undefined, opts);
  }

  // QEMU's version, e.g. to gate features that older releases lack.
  queryVersion(opts?: QmpExecuteOptions): Promise<QmpVersionInfo> {
    return this.executeChecked('query-version', QmpVersionInfoSchema, undefined, opts);
  }

  // Asks QEMU to exit and resolves once the monitor has closed. QEMU hanging up before it
  // answers is the expected end of a quit, not an error.
  async quit(opts: QmpExecuteOptions = {}): Promise<QmpCloseInfo> {
    if (this.closeInfo || this.closeRequested) throw this.closedError('quit');
    const timeoutMs = opts.timeoutMs ?? this.options.commandTimeoutMs;
    try {
      await this.execute('quit', undefined, { timeoutMs });
    } catch (e) {
      if (!(isOpenUtmError(e) && e.code === 'QMP_CLOSED')) throw e;
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new OpenUtmError('QMP_TIMEOUT', `QEMU accepted quit but kept its monitor open for ${timeoutMs} ms; stop the process instead`, {
              command: 'quit',
              timeoutMs,
            }),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.closed, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  // Subscribes to QMP events in arrival order. The first subscriber also receives events that
  // arrived since connect (delivered on the next microtask).
  onEvent(listener: (event: QmpEvent) => void): Unsubscribe {
    return this.events.subscribe(listener);
  }

  // Fires once when the connection ends. Subscribing after that still fires (asynchronously),
  // so a caller cannot miss a close that raced its subscription.
  onClose(listener: (info: QmpCloseInfo) => void): Unsubscribe {
    const info = this.closeInfo;
    if (info) {
      queueMicrotask(() => callListener(listener, info));
      return () => undefined;
    }
    return this.closeListeners.subscribe(listener);
  }

  // Lines from QEMU that were ignored because they were not valid QMP; for logs and tests.
  onProtocolError(listener: (error: QmpProtocolError) => void): Unsubscribe {
    return this.protocolErrors.subscribe(listener);
  }

  // Ends the connection (QEMU keeps running) and resolves once it is closed.
  async close(): Promise<QmpCloseInfo> {
    if (this.closeInfo) return this.closeInfo;
    this.closeRequested = true;
    this.socket.end();
    const cut = setTimeout(() => this.socket.destroy(), this.options.closeGraceMs);
    try {
      return await this.closed;
    } finally {
      clearTimeout(cut);
    }
  }

  private async handshake(timeoutMs: number): Promise<void> {
    this.greetingValue = await new Promise<QmpGreeting>((resolve, reject) => {
      this.greetingWaiter = { resolve, reject };
    });
    // Until this succeeds QEMU answers every other command with CommandNotFound and sends no events.
    await this.execute('qmp_capabilities', undefined, { timeoutMs });
  }

  private onData(chunk: Buffer): void {
    for (const out of this.reader.push(chunk)) {
      if (out.type === 'overflow') {
        this.reportProtocolError({
          kind: 'line-too-long',
          message: `a line from QEMU exceeded ${out.limit} bytes and was skipped`,
        });
      } else if (out.line.trim() !== '') {
        this.onLine(out.line);
      }
    }
  }

  private onLine(line: string): void {
    const parsed = parseServerMessage(line);
    if (!parsed.ok) {
      this.reportProtocolError({ kind: parsed.kind, message: parsed.message, line: excerpt(line) });
      return;
    }
    const waiter = this.greetingWaiter;
    if (waiter) {
      this.greetingWaiter = null;
      if (parsed.message.type === 'greeting') waiter.resolve(parsed.message.greeting);
      else {
        waiter.reject(notQmpFailure(this.endpoint, line));
        this.socket.destroy();
      }
      return;
    }
    this.onMessage(parsed.message, line);
  }

  private onMessage(message: QmpServerMessage, line: string): void {
    switch (message.type) {
      case 'greeting':
        this.reportProtocolError({ kind: 'unexpected-greeting', message: 'QEMU sent a second greeting', line: excerpt(line) });
        return;
      case 'event':
        this.onQmpEvent(message.event);
        return;
      case 'return':
        this.afterSettle(this.requests.settle(message.id, { value: message.value }), message.id, line);
        return;
      case 'error':
        this.afterSettle(this.requests.settle(message.id, { error: message.error }), message.id, line);
        return;
    }
  }

  // A late answer to a call that timed out is dropped quietly: its caller has moved on.
  private afterSettle(result: SettleResult, id: unknown, line: string): void {
    if (result !== 'unknown') return;
    this.reportProtocolError({
      kind: 'unexpected-reply',
      message: id === undefined ? 'QEMU sent a reply without an id (it could not parse a request)' : `QEMU sent a reply for unknown id ${JSON.stringify(id)}`,
      line: excerpt(line),
    });
  }

  private onQmpEvent(event: QmpEvent): void {
    if (event.event === 'SHUTDOWN' && typeof event.data?.guest === 'boolean' && typeof event.data.reason === 'string') {
      this.lastShutdown = { guest: event.data.guest, reason: event.data.reason };
    }
    this.events.emit(event);
  }

  private onSocketClose(): void {
    const info = this.describeClose();
    this.closeInfo = info;
    this.greetingWaiter?.reject(connectFailure(this.endpoint, this.socketError));
    this.greetingWaiter = null;
    this.requests.failAll(
      (command) =>
        new OpenUtmError('QMP_CLOSED', `the connection to QEMU closed before it answered "${command}" (${info.message})`, {
          command,
          reason: info.reason,
        }),
    );
    // Held events go out before the close they preceded.
    this.events.flush();
    this.resolveClosed(info);
    this.closeListeners.emit(info);
    this.closeListeners.clear();
  }

  private describeClose(): QmpCloseInfo {
    const base = { shutdown: this.lastShutdown, ...(this.socketError ? { error: this.socketError } : {}) };
    if (this.quitSent) return { reason: 'quit', message: 'QEMU closed its monitor after quit', ...base };
    if (this.closeRequested) return { reason: 'client-closed', message: 'the connection was closed by OpenUTM', ...base };
    // A reset or broken pipe is QEMU going away under us, not a fault of the socket itself.
    const errno = (this.socketError as NodeJS.ErrnoException | null)?.code;
    if (this.socketError && errno !== 'ECONNRESET' && errno !== 'EPIPE') {
      return { reason: 'socket-error', message: `the monitor socket failed: ${this.socketError.message}`, ...base };
    }
    return {
      reason: 'peer-closed',
      message: this.lastShutdown ? `QEMU shut down (${this.lastShutdown.reason})` : 'QEMU closed its monitor without being asked to quit',
      ...base,
    };
  }

  private closedError(command: string): OpenUtmError {
    const why = this.closeInfo ? this.closeInfo.message : 'the connection is closing';
    return new OpenUtmError('QMP_CLOSED', `cannot send "${command}": the connection to QEMU's monitor is closed (${why}); reconnect first`, {
      command,
      ...(this.closeInfo ? { reason: this.closeInfo.reason } : {}),
    });
  }

  private reportProtocolError(error: QmpProtocolError): void {
    this.protocolErrors.emit(error);
  }
}

function excerpt(line: string): string {
  return line.length > LINE_EXCERPT_CHARS ? `${line.slice(0, LINE_EXCERPT_CHARS)}…` : line;
}
