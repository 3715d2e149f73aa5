import net from 'node:net';
import { randomInt } from 'node:crypto';
import { GUEST_AGENT_HINT, OpenUtmError } from '@openutm/shared';
import type { z } from 'zod';
import type { Endpoint } from '../runtime/runtime-paths';
import { QgaFramer, encodeCommand, encodeSync } from './qga-framing';
import { acceptFrame, type Awaiting, type Settled } from './qga-replies';

export const QGA_DEFAULTS = {
  // How long a sync may take before the agent counts as absent. Under TCG on a busy host a
  // guest that runs its agent still answers within this.
  syncTimeoutMs: 4_000,
  commandTimeoutMs: 15_000,
  // A guest-file-read of the biggest chunk we ask for is far below this.
  maxLineBytes: 8 * 1024 * 1024,
  // Bytes written but not yet taken by QEMU: QEMU reads the socket only while the guest has the
  // port open, so with no agent, syncs pile up here; past this no more are written.
  maxUnreadBytes: 64 * 1024,
} as const;

export type QgaLimits = { -readonly [K in keyof typeof QGA_DEFAULTS]: number };

// The agent is not there to answer: the one error a caller of an absent agent sees.
export function agentAbsent(why: string): OpenUtmError {
  return new OpenUtmError('GUEST_AGENT_ABSENT', `the guest agent ${why}; ${GUEST_AGENT_HINT}`);
}

// One connection to a VM's guest agent socket (QEMU's chardev, served by QEMU whether or not the
// guest runs an agent). Commands run one at a time: the agent answers in order and, unlike QMP,
// need not echo ids, so only one question may be open. Before the first command, and after any
// command that timed out, the stream is resynced (guest-sync-delimited).
export class QgaClient {
  private readonly framer: QgaFramer;
  private awaiting: Awaiting = { kind: 'idle' };
  private settle: ((s: Settled) => void) | null = null;
  private synced = false;
  private nextId = 1;
  private chain: Promise<unknown> = Promise.resolve();
  private closedValue = false;
  private readonly closeListeners = new Set<() => void>();

  private constructor(
    private readonly socket: net.Socket,
    private readonly limits: QgaLimits,
  ) {
    this.framer = new QgaFramer(limits.maxLineBytes);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closedValue = true;
      for (const l of [...this.closeListeners]) l();
    });
  }

  // Connects to the socket; rejects with the errno (ENOENT: the VM has no agent channel).
  static connect(endpoint: Endpoint, limits: Partial<QgaLimits> = {}, timeoutMs = 3_000): Promise<QgaClient> {
    return new Promise((resolve, reject) => {
      const socket = endpoint.kind === 'tcp' ? net.createConnection({ host: endpoint.host, port: endpoint.port }) : net.createConnection({ path: endpoint.path });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error('connecting to the guest agent socket timed out'), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new QgaClient(socket, { ...QGA_DEFAULTS, ...limits }));
      });
    });
  }

  get isClosed(): boolean {
    return this.closedValue;
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  // Proves the agent answers now (a fresh sync); rejects GUEST_AGENT_ABSENT when it does not.
  ping(timeoutMs = this.limits.syncTimeoutMs): Promise<void> {
    return this.queued(async () => {
      this.synced = false;
      await this.sync(timeoutMs);
    });
  }

  // Runs one agent command and checks its answer's shape.
  execute<S extends z.ZodTypeAny>(command: string, schema: S, args?: Record<string, unknown>, timeoutMs = this.limits.commandTimeoutMs): Promise<z.output<S>> {
    return this.queued(async () => {
      if (!this.synced) await this.sync(Math.min(timeoutMs, this.limits.syncTimeoutMs));
      const id = this.nextId++;
      const settled = await this.exchange(encodeCommand(command, args, id), { kind: 'reply', id }, timeoutMs, () =>
        new OpenUtmError('GUEST_AGENT_FAILED', `the guest agent did not answer ${command} within ${Math.round(timeoutMs / 1000)} s; the guest may be busy or hung`),
      );
      if (settled.kind !== 'reply') throw new OpenUtmError('INTERNAL', `the guest agent's stream answered ${command} with a sync`);
      const { reply } = settled;
      if (reply.kind === 'error') throw new OpenUtmError('GUEST_AGENT_FAILED', `the guest agent refused ${command}: ${reply.desc}`, { agentClass: reply.errorClass, command });
      const parsed = schema.safeParse(reply.value);
      if (!parsed.success) throw new OpenUtmError('GUEST_AGENT_FAILED', `the guest agent answered ${command} in a shape OpenUTM does not know; this agent version may not be supported`, { command });
      return parsed.data as z.output<S>;
    });
  }

  // A command the agent answers only when it fails (guest-shutdown): sent, then any error that
  // comes within waitMs is reported; silence means it went through.
  sendUnanswered(command: string, args: Record<string, unknown>, waitMs: number): Promise<void> {
    return this.queued(async () => {
      if (!this.synced) await this.sync(this.limits.syncTimeoutMs);
      const id = this.nextId++;
      // Whatever comes later (the guest going away) is not an answer to anything: resync next time.
      this.synced = false;
      const settled = await this.exchange(encodeCommand(command, args, id), { kind: 'reply', id }, waitMs, () => null).catch(() => null);
      if (settled?.kind === 'reply' && settled.reply.kind === 'error') {
        throw new OpenUtmError('GUEST_AGENT_FAILED', `the guest agent refused ${command}: ${settled.reply.desc}`, { command });
      }
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private queued<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async sync(timeoutMs: number): Promise<void> {
    const id = randomInt(1, 2 ** 31 - 1);
    await this.exchange(encodeSync(id), { kind: 'sync', id, armed: false }, timeoutMs, () => agentAbsent(`did not answer within ${Math.round(timeoutMs / 100) / 10} s`));
    this.synced = true;
  }

  // Writes a request and waits for what `awaiting` accepts; on timeout the stream counts as
  // out of sync (a late answer must not be taken for the next one's).
  private exchange(bytes: Buffer, awaiting: Awaiting, timeoutMs: number, onTimeout: () => Error | null): Promise<Settled> {
    if (this.closedValue) return Promise.reject(agentAbsent('channel closed (the VM is stopping)'));
    if (this.socket.writableLength > this.limits.maxUnreadBytes) return Promise.reject(agentAbsent('has not read what was sent to it'));
    return new Promise<Settled>((resolve, reject) => {
      const finish = (f: () => void) => {
        clearTimeout(timer);
        off();
        this.settle = null;
        this.awaiting = { kind: 'idle' };
        f();
      };
      const timer = setTimeout(() => {
        this.synced = false;
        const e = onTimeout();
        finish(() => (e ? reject(e) : resolve({ kind: 'reply', reply: { kind: 'return', value: null, id: undefined } })));
      }, timeoutMs);
      const off = this.onClose(() => finish(() => reject(agentAbsent('channel closed (the VM is stopping)'))));
      this.awaiting = awaiting;
      this.settle = (s) => finish(() => resolve(s));
      this.socket.write(bytes);
    });
  }

  private onData(chunk: Buffer): void {
    for (const frame of this.framer.push(chunk)) {
      const { awaiting, settled } = acceptFrame(this.awaiting, frame);
      this.awaiting = awaiting;
      if (settled) this.settle?.(settled);
    }
  }
}
