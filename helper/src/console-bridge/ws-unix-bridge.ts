import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { keepAlive } from './ws-keepalive';
import { CLOSE_CODE, closableCode, toBuffer, truncateReason } from './ws-frames';
import { frameInPlace } from './ws-binary-frame';
import { defaultLog, type ConsoleLog } from './console-log';
import type { DisplayConnection } from './connect-endpoint';
import type { SessionMember, VmCloseMode } from './spice-sessions';
import { SpiceAgentWindow } from './spice-agent-window';

// Limits of one bridged connection, each overridable; memory held per connection stays below
// about highWaterMark + one socket read (display direction) plus maxPayload (input direction).
export const BRIDGE_DEFAULTS = {
  // Bytes queued towards the browser above which the VM side is no longer read.
  highWaterMark: 1024 * 1024,
  // A ping this often; a peer that has not answered the previous one is cut.
  pingIntervalMs: 30_000,
  // After one side closed, how long the other gets to finish before it is destroyed.
  closeGraceMs: 2_000,
  // How long QEMU gets to close a SPICE channel itself once its session's main channel closed.
  sessionCloseMs: 10_000,
} as const;

// Per-connection options; limits default to BRIDGE_DEFAULTS.
export interface BridgeOptions {
  highWaterMark?: number;
  pingIntervalMs?: number;
  closeGraceMs?: number;
  // Where errors and close reasons go; never thrown.
  log?: ConsoleLog;
  // Name used in log lines, e.g. "vm abc123 spice".
  label?: string;
  // The SPICE session this channel belongs to, which orders how its channels close.
  session?: SessionMember;
  // A SPICE channel: if it is the main one, the agent's flow control is held here for the page
  // (spice-agent-window.ts).
  spiceAgentWindow?: boolean;
}

// What the bridge holds in memory right now and how it is flowing; for tests and the bench.
export interface BridgeStats {
  // Bytes accepted from the VM and not yet handed to the kernel towards the browser.
  toClientQueued: number;
  // Bytes from the browser not yet handed to the kernel towards the VM.
  toVmQueued: number;
  // Read buffers the VM side holds (its own, free ones, and those queued towards the browser).
  vmReadBuffers: number;
  vmReadPaused: boolean;
  clientReadPaused: boolean;
  bytesToClient: number;
  bytesToVm: number;
}

// How the bridge ended: the code and reason sent to (or received from) the browser.
export interface BridgeCloseInfo {
  code: number;
  reason: string;
  by: 'client' | 'vm' | 'bridge';
}

// One running bridge, for whoever needs to watch or end it.
export interface BridgeHandle {
  stats(): BridgeStats;
  // Ends both sides, e.g. when the VM stops or the helper shuts down.
  close(code?: number, reason?: string): void;
  readonly closed: Promise<BridgeCloseInfo>;
}

// One options object for every frame sent, rather than a fresh one per frame.
const SEND_OPTIONS = { binary: true, compress: false } as const;

// Ordinary ends (normal, going away, no status) are not worth a log line.
const QUIET_CODES = new Set<number>([CLOSE_CODE.normal, CLOSE_CODE.goingAway, 1005]);

// Joins one accepted WebSocket to one fresh connection to a QEMU display socket: binary frames
// only, each VM chunk sent as it arrives, backpressure both ways, both sides closed together.
// `wsSocket` is the raw socket the WebSocket runs on (from the HTTP upgrade); its 'drain' says
// when the browser has caught up.
export function bridgeWebSocket(ws: WebSocket, wsSocket: Duplex, display: DisplayConnection, opts: BridgeOptions = {}): BridgeHandle {
  const vm = display.socket;
  const highWaterMark = opts.highWaterMark ?? BRIDGE_DEFAULTS.highWaterMark;
  const closeGraceMs = opts.closeGraceMs ?? BRIDGE_DEFAULTS.closeGraceMs;
  const log = opts.log ?? defaultLog;
  const label = opts.label ?? 'console';
  const headroom = display.reader.headroom;
  let bytesToClient = 0;
  let bytesToVm = 0;
  let vmPaused = false;
  let clientPaused = false;
  let ending: BridgeCloseInfo | null = null;
  let resolveClosed!: (info: BridgeCloseInfo) => void;
  const closed = new Promise<BridgeCloseInfo>((resolve) => (resolveClosed = resolve));
  let wsDone = false;
  let vmDone = false;
  let resolveVmClosed!: () => void;
  const vmClosed = new Promise<void>((resolve) => (resolveVmClosed = resolve));
  let observing = opts.session !== undefined;
  let observingVm = observing;
  // Set when the session closes this channel: the VM side ends gracefully rather than at once.
  let graceful = false;
  const toVm = (bytes: Buffer): boolean => (vm.destroyed || vm.writableEnded ? true : vm.write(bytes));
  const toPage = (bytes: Buffer): void => {
    bytesToClient += bytes.length;
    ws.send(bytes, SEND_OPTIONS);
  };
  const agentWindow = opts.spiceAgentWindow ? new SpiceAgentWindow(toVm, toPage) : null;
  const settle = (): void => {
    if (wsDone && vmDone && ending) {
      stopPings();
      clearTimeout(graceTimer);
      clearTimeout(vmTimer);
      resolveClosed(ending);
    }
  };

  // VM → browser: send every chunk at once; stop reading the VM while the browser is behind.
  display.reader.setSink((chunk, release) => {
    if (ws.readyState !== ws.OPEN) {
      release?.();
      return;
    }
    if (observingVm) observingVm = opts.session!.observeVm(chunk);
    // The agent window may keep back a chunk of QEMU's returned agent tokens (its own message
    // to the page gives them later).
    if (agentWindow && !agentWindow.fromVm(chunk)) {
      release?.();
      return;
    }
    bytesToClient += chunk.length;
    // Header and payload as one write straight to the socket: ws's Sender writes synchronously
    // when nothing is compressed, so its own frames (pings, close) stay in order with these, and
    // ws.bufferedAmount still counts them. The pooled buffer goes back once the kernel has it.
    const frame = frameInPlace(chunk, headroom);
    if (frame) wsSocket.write(frame, release ?? undefined);
    else ws.send(chunk, SEND_OPTIONS, release ?? undefined);
    if (!vmPaused && ws.bufferedAmount > highWaterMark) {
      vmPaused = true;
      vm.pause();
    }
  });
  // Anything read before the bridge existed was held, and reading may have stopped for it.
  if (!vmPaused) vm.resume();
  wsSocket.on('drain', () => {
    if (vmPaused && ws.bufferedAmount <= highWaterMark) {
      vmPaused = false;
      vm.resume();
    }
  });

  // Browser → VM: binary frames only; stop reading the browser while the VM socket is full.
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (!isBinary) {
      end({ code: CLOSE_CODE.unsupportedData, reason: 'this console takes binary frames only', by: 'bridge' });
      return;
    }
    // Once the channel is ending nothing more goes to QEMU: a SPICE session's other channels are
    // being torn down by QEMU itself, and writing into that only ends in EPIPE.
    if (ending || vm.destroyed || vm.writableEnded) return;
    const buf = toBuffer(data);
    bytesToVm += buf.length;
    if (observing) observing = opts.session!.observe(buf);
    let written = true;
    for (const part of agentWindow ? agentWindow.fromClient(buf) : [buf]) written = vm.write(part);
    if (!written && !clientPaused) {
      clientPaused = true;
      ws.pause();
    }
  });
  vm.on('drain', () => {
    if (clientPaused) {
      clientPaused = false;
      ws.resume();
    }
  });

  // Closing: whichever side goes first takes the other with it, with its reason.
  vm.on('end', () => end({ code: CLOSE_CODE.normal, reason: 'the VM closed this console channel', by: 'vm' }));
  vm.on('error', (e: NodeJS.ErrnoException) => {
    log(`${label}: VM socket error: ${e.code ?? e.message}`);
    end({ code: CLOSE_CODE.internalError, reason: `console connection to the VM failed (${e.code ?? 'error'})`, by: 'vm' });
  });
  vm.on('close', () => {
    vmDone = true;
    resolveVmClosed();
    end({ code: CLOSE_CODE.normal, reason: 'the VM closed this console channel', by: 'vm' });
    settle();
  });
  ws.on('error', (e: Error) => log(`${label}: WebSocket error: ${e.message}`));
  ws.on('close', (code: number, reason: Buffer) => {
    wsDone = true;
    end({ code, reason: reason.toString('utf8'), by: 'client' });
    settle();
  });

  const stopPings = keepAlive(ws, opts.pingIntervalMs ?? BRIDGE_DEFAULTS.pingIntervalMs, () =>
    log(`${label}: the browser did not answer a ping; closing`),
  );
  let graceTimer: NodeJS.Timeout | undefined;
  let vmTimer: NodeJS.Timeout | undefined;

  function end(info: BridgeCloseInfo): void {
    if (ending) return;
    ending = info;
    if (!QUIET_CODES.has(info.code)) log(`${label}: closing (${info.by}): ${info.code} ${info.reason}`);
    if (ws.readyState === ws.OPEN) ws.close(closableCode(info.code), truncateReason(info.reason));
    const closeVm = (mode: VmCloseMode): void => {
      if (vmDone && wsDone) return;
      // QEMU is closing this channel itself (see SpiceSessions): ending it too would race that.
      if (mode === 'vm-closes') {
        vmTimer = setTimeout(() => vm.destroy(), BRIDGE_DEFAULTS.sessionCloseMs);
        vmTimer.unref();
      }
      // Input already accepted still reaches the VM; then the VM sees end of stream.
      else if (info.by === 'bridge' && !graceful) vm.destroy();
      else if (!vm.destroyed) vm.end();
      graceTimer = setTimeout(() => {
        if (ws.readyState !== ws.CLOSED) ws.terminate();
        if (mode === 'end') vm.destroy();
      }, closeGraceMs);
      graceTimer.unref();
    };
    // A SPICE channel other than main waits for its session's main channel to close first.
    if (opts.session) void opts.session.beforeVmClose().then(closeVm, () => closeVm('end'));
    else closeVm('end');
  }

  opts.session?.attach({
    closeForSession: () => {
      graceful = true;
      end({ code: CLOSE_CODE.goingAway, reason: 'the SPICE session is closing (another of its channels closed)', by: 'bridge' });
    },
    vmClosed,
    sendToVm: (bytes) => {
      if (!vm.destroyed && !vm.writableEnded) vm.write(bytes);
    },
  });

  return {
    stats: () => ({
      toClientQueued: ws.bufferedAmount,
      toVmQueued: vm.writableLength,
      vmReadBuffers: display.reader.heldBytes,
      vmReadPaused: vmPaused,
      clientReadPaused: clientPaused,
      bytesToClient,
      bytesToVm,
    }),
    close: (code = CLOSE_CODE.goingAway, reason = 'the console is closing') => end({ code, reason, by: 'bridge' }),
    closed,
  };
}
