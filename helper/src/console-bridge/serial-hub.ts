import net from 'node:net';
import { open } from 'node:fs/promises';
import type { ControlEndpoint } from '../runtime/runtime-paths';
import { describeEndpoint } from './connect-endpoint';
import { defaultLog, type ConsoleLog } from './console-log';
import { ScrollbackRing } from './scrollback-ring';
import { SerialLogFile } from './serial-log-file';

// Limits of one VM's serial hub, each overridable.
export const SERIAL_DEFAULTS = {
  // Bytes of guest output kept for consoles that connect later.
  scrollbackBytes: 256 * 1024,
  // Keystrokes waiting to reach QEMU above which further input is dropped (a hung guest UART
  // must not make the helper buffer without end).
  maxPendingInput: 1024 * 1024,
  // How long start() waits for the first connection before it lets the VM run anyway.
  connectTimeoutMs: 3_000,
  // Reconnect backoff ceiling while the VM runs but its serial socket went away.
  reconnectMaxDelayMs: 1_000,
} as const;

// Options of one hub; limits default to SERIAL_DEFAULTS.
export interface SerialHubOptions {
  scrollbackBytes?: number;
  maxPendingInput?: number;
  reconnectMaxDelayMs?: number;
  // The serial log the hub appends every received byte to (serial-log-file.ts); its tail seeds
  // the scrollback, so a helper that re-attaches to a running VM still shows what came before.
  logFile?: string;
  // QEMU's own copy (logfile=…), for what the guest printed while no helper was attached.
  qemuLogFile?: string;
  log?: ConsoleLog;
  label?: string;
}

// One console watching the serial port: gets every byte of guest output, and is told when the
// hub ends (the VM stopped).
export interface SerialSink {
  send(chunk: Buffer): void;
  close(reason: string): void;
}

// What a subscriber can do: type into the guest, and leave.
export interface SerialSubscription {
  write(input: Uint8Array | string): void;
  unsubscribe(): void;
}

// Holds the one connection to a VM's serial socket (QEMU's chardev server serves one client at
// a time) while the VM runs: keeps a byte scrollback, fans guest output out to any number of
// consoles, and writes their keystrokes to the guest. Reconnects if the socket drops.
export class SerialHub {
  private readonly ring: ScrollbackRing;
  private readonly sinks = new Set<SerialSink>();
  private readonly log: ConsoleLog;
  private readonly label: string;
  private readonly maxPendingInput: number;
  private readonly reconnectMaxDelayMs: number;
  private socket: net.Socket | null = null;
  private stopped = false;
  private started = false;
  private retryDelayMs = 10;
  private retryTimer: NodeJS.Timeout | undefined;
  private onConnected: (() => void) | null = null;
  private droppedInput = 0;
  private readonly logFile: SerialLogFile | null;
  private finishing: Promise<void> | null = null;

  constructor(
    private readonly endpoint: ControlEndpoint,
    private readonly opts: SerialHubOptions = {},
  ) {
    this.ring = new ScrollbackRing(opts.scrollbackBytes ?? SERIAL_DEFAULTS.scrollbackBytes);
    this.log = opts.log ?? defaultLog;
    this.label = opts.label ?? `serial ${describeEndpoint(endpoint)}`;
    this.maxPendingInput = opts.maxPendingInput ?? SERIAL_DEFAULTS.maxPendingInput;
    this.reconnectMaxDelayMs = opts.reconnectMaxDelayMs ?? SERIAL_DEFAULTS.reconnectMaxDelayMs;
    this.logFile = opts.logFile ? new SerialLogFile(opts.logFile, opts.qemuLogFile ?? null, this.log) : null;
  }

  // Seeds the scrollback from the serial log, then connects; resolves once connected, or after
  // timeoutMs (the hub keeps trying in the background). Never rejects.
  async start(timeoutMs: number = SERIAL_DEFAULTS.connectTimeoutMs): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.opts.logFile) this.ring.append(await readTail(this.opts.logFile, this.ring.capacity));
    if (this.stopped) return;
    if (this.logFile) this.ring.append(this.logFile.open());
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.onConnected = resolve;
      timer = setTimeout(() => {
        this.log(`${this.label}: not connected within ${timeoutMs} ms; still trying`);
        resolve();
      }, timeoutMs);
      this.connect();
    });
    clearTimeout(timer);
    this.onConnected = null;
  }

  // Adds a console: its first chunk is the scrollback, even when that is empty, so a console can
  // tell replayed output from live output; then live output follows.
  subscribe(sink: SerialSink): SerialSubscription {
    if (this.stopped) {
      sink.close('the VM is not running');
      return { write: () => undefined, unsubscribe: () => undefined };
    }
    sink.send(this.ring.snapshot());
    this.sinks.add(sink);
    return {
      write: (input) => this.write(input),
      unsubscribe: () => {
        this.sinks.delete(sink);
      },
    };
  }

  // For a VM whose QEMU exits: takes in what is still on its way from the serial socket (the
  // guest's last words, for the log and a crash report) until QEMU's end closes it, waiting at
  // most timeoutMs, then stops.
  finish(reason: string, timeoutMs = 2_000): Promise<void> {
    this.finishing ??= (async () => {
      const socket = this.socket;
      if (socket && !socket.destroyed && !this.stopped) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          socket.once('close', () => resolve());
          timer = setTimeout(resolve, timeoutMs);
        });
        clearTimeout(timer);
      }
      this.stop(reason);
    })();
    return this.finishing;
  }

  // Lets go of the serial socket and tells every console why.
  stop(reason = 'the VM stopped'): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.destroy();
    this.socket = null;
    this.logFile?.close();
    this.onConnected?.();
    for (const sink of [...this.sinks]) this.safely(() => sink.close(reason));
    this.sinks.clear();
  }

  // The scrollback as it is now, oldest byte first.
  scrollback(): Buffer {
    return this.ring.snapshot();
  }

  get connected(): boolean {
    return this.socket !== null;
  }

  get subscribers(): number {
    return this.sinks.size;
  }

  private write(input: Uint8Array | string): void {
    const socket = this.socket;
    const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
    if (!socket || bytes.length === 0) return;
    if (socket.writableLength + bytes.length > this.maxPendingInput) {
      if (this.droppedInput === 0) this.log(`${this.label}: the guest is not reading its serial port; dropping input`);
      this.droppedInput += bytes.length;
      return;
    }
    this.droppedInput = 0;
    socket.write(bytes);
  }

  private connect(): void {
    if (this.stopped) return;
    // A Windows named pipe is opened by path, like a unix socket.
    const socket =
      this.endpoint.kind === 'tcp'
        ? net.createConnection({ host: this.endpoint.host, port: this.endpoint.port })
        : net.createConnection({ path: this.endpoint.path });
    socket.on('connect', () => {
      if (this.stopped) {
        socket.destroy();
        return;
      }
      this.socket = socket;
      this.retryDelayMs = 10;
      this.onConnected?.();
    });
    socket.on('data', (chunk: Buffer) => {
      this.logFile?.append(chunk);
      this.ring.append(chunk);
      for (const sink of this.sinks) this.safely(() => sink.send(chunk));
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      // Refused or missing while QEMU starts or exits is expected; anything else is worth a line.
      if (e.code !== 'ECONNREFUSED' && e.code !== 'ENOENT') this.log(`${this.label}: ${e.code ?? e.message}`);
    });
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      if (this.stopped) return;
      this.retryTimer = setTimeout(() => this.connect(), this.retryDelayMs);
      this.retryTimer.unref();
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.reconnectMaxDelayMs);
    });
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log(`${this.label}: a console failed: ${(e as Error).message}`);
    }
  }
}

// The last `bytes` of a file, or nothing if it cannot be read.
async function readTail(file: string, bytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    const { bytesRead } = await handle.read(buf, 0, buf.length, start);
    return buf.subarray(0, bytesRead);
  } catch {
    return Buffer.alloc(0);
  } finally {
    await handle.close();
  }
}
