import { connect, type Socket } from 'node:net';
import { Reader, Writer, splitSignature, type DBusValue } from './dbus-marshal';

// A D-Bus message as this client sees it.
export interface DBusMessage {
  type: 'call' | 'return' | 'error' | 'signal';
  serial: number;
  path?: string;
  iface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number;
  destination?: string;
  sender?: string;
  signature: string;
  body: DBusValue[];
}

const TYPES = ['call', 'return', 'error', 'signal'] as const;
const FIELD = { path: 1, iface: 2, member: 3, errorName: 4, replySerial: 5, destination: 6, sender: 7, signature: 8 } as const;
const FIELD_SIG: Record<number, string> = { 1: 'o', 2: 's', 3: 's', 4: 's', 5: 'u', 6: 's', 7: 's', 8: 'g' };
// Messages over this are refused (the spec's own limit is 128 MiB; a tray never needs 1 MiB).
const MAX_MESSAGE = 1 << 20;

// An error a peer answered with, or ours to answer with.
export class DBusError extends Error {
  constructor(
    readonly dbusName: string,
    message: string,
  ) {
    super(message);
  }
}

// The socket path of a session bus address ("unix:path=…" or "unix:abstract=…", alternatives
// separated by ";"), or null when none is a unix socket this client can open.
export function socketPathOf(address: string): string | null {
  for (const alt of address.split(';')) {
    const [transport, rest = ''] = alt.split(/:(.*)/s);
    if (transport !== 'unix') continue;
    const kv = new Map(rest.split(',').map((p) => p.split(/=(.*)/s) as [string, string]));
    const unescape = (s: string) => decodeURIComponent(s);
    if (kv.get('path')) return unescape(kv.get('path')!);
    // Linux abstract sockets: Node opens them with a leading NUL.
    if (kv.get('abstract')) return `\0${unescape(kv.get('abstract')!)}`;
  }
  return null;
}

export type CallHandler = (msg: DBusMessage) => Promise<{ signature: string; body: DBusValue[] }> | { signature: string; body: DBusValue[] };

// One connection to a bus: SASL EXTERNAL authentication, method calls with replies matched by
// serial, signals out, and incoming method calls handed to one handler.
export class DBusConnection {
  private serial = 0;
  private buffer = Buffer.alloc(0);
  private pending = new Map<number, { resolve: (m: DBusMessage) => void; reject: (e: Error) => void }>();
  private signalListeners: ((msg: DBusMessage) => void)[] = [];
  private closed = false;
  uniqueName = '';

  private constructor(
    private readonly socket: Socket,
    private readonly onCall: CallHandler | null,
  ) {}

  static async open(address: string, onCall: CallHandler | null = null): Promise<DBusConnection> {
    const path = socketPathOf(address);
    if (!path) throw new Error(`the bus address ${address} names no unix socket`);
    const socket = connect(path);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const conn = new DBusConnection(socket, onCall);
    await conn.authenticate();
    socket.on('data', (d) => conn.onData(d));
    socket.on('close', () => conn.failAll(new Error('the bus connection closed')));
    socket.on('error', (e) => conn.failAll(e));
    const [name] = (await conn.call({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus', member: 'Hello' })).body;
    conn.uniqueName = String(name);
    return conn;
  }

  // EXTERNAL: the bus checks our uid on the socket; we only name it (hex of its decimal digits).
  private authenticate(): Promise<void> {
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    const hexUid = Buffer.from(String(uid), 'ascii').toString('hex');
    return new Promise((resolve, reject) => {
      let text = '';
      const onData = (d: Buffer) => {
        text += d.toString('latin1');
        if (!text.includes('\r\n')) return;
        this.socket.off('data', onData);
        if (!text.startsWith('OK ')) return reject(new Error(`the bus refused authentication: ${text.trim()}`));
        this.socket.write('BEGIN\r\n');
        resolve();
      };
      this.socket.on('data', onData);
      this.socket.once('error', reject);
      this.socket.write(`\0AUTH EXTERNAL ${hexUid}\r\n`);
    });
  }

  call(m: Omit<DBusMessage, 'type' | 'serial' | 'signature' | 'body'> & { signature?: string; body?: DBusValue[] }): Promise<DBusMessage> {
    const serial = this.send({ ...m, type: 'call', signature: m.signature ?? '', body: m.body ?? [] });
    return new Promise((resolve, reject) => this.pending.set(serial, { resolve, reject }));
  }

  emit(path: string, iface: string, member: string, signature = '', body: DBusValue[] = []): void {
    this.send({ type: 'signal', path, iface, member, signature, body });
  }

  close(): void {
    this.closed = true;
    this.socket.end();
    this.failAll(new Error('the bus connection was closed'));
  }

  private send(m: Omit<DBusMessage, 'serial'>): number {
    const serial = ++this.serial;
    const body = new Writer();
    splitSignature(m.signature).forEach((t, i) => body.writeOne(t, m.body[i]!));
    const bodyBuf = body.toBuffer();
    const fields: DBusValue[] = [];
    for (const [key, code] of Object.entries(FIELD)) {
      const v = key === 'signature' ? (m.signature || undefined) : m[key as keyof typeof m];
      if (v !== undefined) fields.push([code, { sig: FIELD_SIG[code]!, value: v as DBusValue }]);
    }
    const head = new Writer();
    head.writeOne('y', 'l'.charCodeAt(0));
    head.writeOne('y', TYPES.indexOf(m.type) + 1);
    // NO_REPLY_EXPECTED for signals and replies; calls want their answer.
    head.writeOne('y', m.type === 'call' ? 0 : 1);
    head.writeOne('y', 1);
    head.writeOne('u', bodyBuf.length);
    head.writeOne('u', serial);
    head.writeOne('a(yv)', fields);
    head.align(8);
    if (!this.closed) this.socket.write(Buffer.concat([head.toBuffer(), bodyBuf]));
    return serial;
  }

  private onData(d: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, d]);
    while (this.buffer.length >= 16) {
      if (this.buffer[0] !== 0x6c) return this.fatal(new Error('the bus sent a big-endian or garbled message'));
      const fieldsLen = this.buffer.readUInt32LE(12);
      const bodyLen = this.buffer.readUInt32LE(4);
      const headerEnd = 16 + fieldsLen + ((8 - ((16 + fieldsLen) % 8)) % 8);
      const total = headerEnd + bodyLen;
      if (total > MAX_MESSAGE) return this.fatal(new Error(`the bus sent a ${total}-byte message`));
      if (this.buffer.length < total) return;
      const raw = this.buffer.subarray(0, total);
      this.buffer = this.buffer.subarray(total);
      try {
        this.dispatch(parseMessage(raw, headerEnd));
      } catch (e) {
        return this.fatal(e as Error);
      }
    }
  }

  private dispatch(msg: DBusMessage): void {
    if (msg.type === 'return' || msg.type === 'error') {
      const p = this.pending.get(msg.replySerial ?? -1);
      if (!p) return;
      this.pending.delete(msg.replySerial!);
      if (msg.type === 'error') p.reject(new DBusError(msg.errorName ?? 'org.freedesktop.DBus.Error.Failed', String(msg.body[0] ?? msg.errorName)));
      else p.resolve(msg);
      return;
    }
    if (msg.type === 'signal') {
      for (const l of this.signalListeners) l(msg);
      return;
    }
    if (msg.type !== 'call') return;
    const reply = (r: { signature: string; body: DBusValue[] }) => this.send({ type: 'return', replySerial: msg.serial, destination: msg.sender, ...r });
    const fail = (e: unknown) => {
      const err = e instanceof DBusError ? e : new DBusError('org.freedesktop.DBus.Error.Failed', e instanceof Error ? e.message : String(e));
      this.send({ type: 'error', replySerial: msg.serial, destination: msg.sender, errorName: err.dbusName, signature: 's', body: [err.message] });
    };
    if (!this.onCall) return fail(new DBusError('org.freedesktop.DBus.Error.UnknownObject', 'nothing is exported here'));
    Promise.resolve()
      .then(() => this.onCall!(msg))
      .then(reply, fail);
  }

  private fatal(e: Error): void {
    this.socket.destroy();
    this.failAll(e);
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  // Signals the bus routes here (after an AddMatch for them).
  onSignal(listener: (msg: DBusMessage) => void): void {
    this.signalListeners.push(listener);
  }

  onClose(listener: () => void): void {
    this.socket.once('close', listener);
  }
}

function parseMessage(raw: Buffer, headerEnd: number): DBusMessage {
  const r = new Reader(raw, 1);
  const type = TYPES[(r.readOne('y') as number) - 1];
  if (!type) throw new Error('the bus sent a message of unknown type');
  r.pos = 8;
  const serial = r.readOne('u') as number;
  const fields = r.readOne('a(yv)') as [number, { value: DBusValue }][];
  const msg: DBusMessage = { type, serial, signature: '', body: [] };
  for (const [code, v] of fields) {
    const key = (Object.entries(FIELD).find(([, c]) => c === code) ?? [])[0] as keyof typeof FIELD | undefined;
    if (key) (msg as unknown as Record<string, DBusValue>)[key] = v.value;
  }
  msg.body = msg.signature ? new Reader(raw.subarray(headerEnd)).read(msg.signature) : [];
  return msg;
}
