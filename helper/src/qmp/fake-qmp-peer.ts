// Test fixture: a scripted stand-in for QEMU's monitor. Tests drive it line by line to produce
// what a real QEMU only does by accident (replies out of order, garbage, split or merged chunks,
// hang-ups with calls in flight).
import net from 'node:net';
import type { Endpoint } from '../runtime/runtime-paths';
import { listenLocal } from '../runtime/testing/local-endpoint';

// A command as the peer received it.
export interface ReceivedCommand {
  execute: string;
  arguments?: Record<string, unknown>;
  id: unknown;
}

export const FAKE_GREETING = {
  QMP: { version: { qemu: { major: 9, minor: 2, micro: 0 }, package: 'fake' }, capabilities: ['oob'] },
};

export interface FakePeerOptions {
  // Listen on loopback TCP instead of a unix socket in `dir` (Windows always uses TCP, as QEMU does there).
  tcp?: boolean;
  // What to send on connect: the standard greeting by default, raw text, or nothing (null).
  greeting?: string | null;
  // Answer qmp_capabilities automatically (default true).
  autoCapabilities?: boolean;
}

// One accepted connection, seen from the peer's side.
export class PeerConnection {
  readonly received: ReceivedCommand[] = [];
  private readonly queue: ReceivedCommand[] = [];
  private waiters: ((command: ReceivedCommand) => void)[] = [];
  private buffer = '';

  constructor(
    readonly socket: net.Socket,
    private readonly autoCapabilities: boolean,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => this.onData(text));
    socket.on('error', () => undefined);
  }

  // The next command the client sent (qmp_capabilities excluded when answered automatically).
  nextCommand(): Promise<ReceivedCommand> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async nextCommands(count: number): Promise<ReceivedCommand[]> {
    const out: ReceivedCommand[] = [];
    for (let i = 0; i < count; i++) out.push(await this.nextCommand());
    return out;
  }

  // One message as QEMU frames it: a JSON object and CRLF.
  send(message: object): void {
    this.socket.write(`${JSON.stringify(message)}\r\n`);
  }

  raw(text: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(text, (e) => (e ? reject(e) : resolve())));
  }

  event(name: string, data?: Record<string, unknown>): object {
    return { event: name, ...(data ? { data } : {}), timestamp: { seconds: 1_700_000_000, microseconds: 1 } };
  }

  private onData(text: string): void {
    this.buffer += text;
    let newline = this.buffer.indexOf('\n');
    while (newline !== -1) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      this.onCommand(JSON.parse(line) as ReceivedCommand);
      newline = this.buffer.indexOf('\n');
    }
  }

  private onCommand(command: ReceivedCommand): void {
    this.received.push(command);
    if (this.autoCapabilities && command.execute === 'qmp_capabilities') {
      this.send({ return: {}, id: command.id });
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter(command);
    else this.queue.push(command);
  }
}

// The listening side: hands each accepted connection to the test.
export class FakeQmpPeer {
  private readonly connections: PeerConnection[] = [];
  private readonly all: PeerConnection[] = [];
  private waiters: ((c: PeerConnection) => void)[] = [];

  private constructor(
    private readonly server: net.Server,
    readonly endpoint: Endpoint,
  ) {}

  static async listen(dir: string, options: FakePeerOptions = {}): Promise<FakeQmpPeer> {
    const greeting = options.greeting === undefined ? `${JSON.stringify(FAKE_GREETING)}\r\n` : options.greeting;
    let peer: FakeQmpPeer | null = null;
    const server = net.createServer((socket) => {
      const connection = new PeerConnection(socket, options.autoCapabilities ?? true);
      if (greeting !== null) socket.write(greeting);
      peer?.accept(connection);
    });
    const name = `peer-${Math.random().toString(36).slice(2, 8)}.sock`;
    const endpoint = await listenLocal(server, dir, name, options.tcp ? 'win32' : undefined);
    peer = new FakeQmpPeer(server, endpoint);
    return peer;
  }

  nextConnection(): Promise<PeerConnection> {
    const ready = this.connections.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Open connections would keep close() waiting forever.
      for (const connection of this.all) connection.socket.destroy();
    });
  }

  private accept(connection: PeerConnection): void {
    this.all.push(connection);
    const waiter = this.waiters.shift();
    if (waiter) waiter(connection);
    else this.connections.push(connection);
  }
}
