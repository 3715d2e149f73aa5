import net from 'node:net';

// Test-only: just enough QMP to ask a real QEMU what it made of the command line. The real
// client (helper/src/qmp) is tested on its own; this keeps these tests independent of it.
export class MiniQmp {
  private buffer = '';
  private waiters: Array<(line: Record<string, unknown>) => void> = [];
  private lines: Array<Record<string, unknown>> = [];

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const text = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        if (text === '') continue;
        const msg = JSON.parse(text) as Record<string, unknown>;
        if ('event' in msg) continue;
        const waiter = this.waiters.shift();
        if (waiter) waiter(msg);
        else this.lines.push(msg);
      }
    });
  }

  static async connect(target: string | { host: string; port: number }): Promise<MiniQmp> {
    const socket = typeof target === 'string' ? net.connect(target) : net.connect(target.port, target.host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const qmp = new MiniQmp(socket);
    await qmp.next(); // greeting
    await qmp.execute('qmp_capabilities');
    return qmp;
  }

  private next(): Promise<Record<string, unknown>> {
    const queued = this.lines.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    this.socket.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
    const reply = await this.next();
    if ('error' in reply) throw new Error(`${command}: ${JSON.stringify(reply.error)}`);
    return reply.return;
  }

  close(): void {
    this.socket.destroy();
  }
}
