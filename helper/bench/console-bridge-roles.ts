// The other processes of the console bench (console-bridge.bench.ts), each started from a bundle
// of this file as `roles.cjs <role> <socket or URL>`: a display source, an echo server, the bridge,
// the least relay Node can be, the readers standing in for a browser, and the round-trip pinger.
// Imported, it runs nothing.
import net from 'node:net';
import http from 'node:http';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { WebSocket, WebSocketServer } from 'ws';
import { startBridgeServer } from '../src/console-bridge/testing/bridge-harness';
import { MAX_FRAME_HEADER, frameInPlace } from '../src/console-bridge/ws-binary-frame';

export const STREAM_BYTES = 2 * 1024 ** 3;
export const STREAM_MS = 2_000;
// Round trips per pinger run; runs alternate between the bridge and websockify, in ABBA order so
// that a change in machine load during the bench weighs on both alike.
export const ROUND_TRIPS = 1000;
export const PING_ROUNDS = 8;
// The pinger is a fresh process: its warm-up trips keep its own compiler out of the measured
// trips. (A forced full collection after the warm-up, as this bench once did, made the pinger
// itself stall at the same trips of every run, bridge and websockify alike, and those stalls
// alone decided the p99.)
export const WARMUP_TRIPS = 3000;
export const FRAME_BYTES = 100;

export type Result = { bytes: number; ms: number; cpuMs: number };

const ROLES: Record<string, (arg: string) => Promise<void>> = {
  source: runSource,
  echo: runEcho,
  bridge: runBridge,
  'minimal-node-relay': runMinimalNodeRelay,
  'ws-reader': runWsReader,
  'lean-reader': runLeanReader,
  'unix-reader': runUnixReader,
  'pooled-unix-reader': runPooledUnixReader,
  pinger: runPinger,
};

const role = process.argv[2];
if (role !== undefined) {
  // Every child ends with its parent: the parent holds the other end of its stdin.
  process.stdin.on('end', () => process.exit(0)).resume();
  const run = ROLES[role];
  if (run === undefined) throw new Error(`no such role: ${role}`);
  run(process.argv[3]!).catch((e: unknown) => {
    process.stderr.write(`${role}: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}

// A child's result on stdout, then exit once it is all written: exiting straight after the write
// cut the longer results (the round-trip times) short.
function printAndExit(result: unknown): void {
  process.stdout.write(JSON.stringify(result), () => process.exit(0));
}

// Role: a VM display that streams as fast as the reader takes it, to every connection.
async function runSource(sockPath: string): Promise<void> {
  const chunk = Buffer.alloc(1024 * 1024, 0x5a);
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    let sent = 0;
    const pump = (): void => {
      while (!socket.destroyed && sent < STREAM_BYTES) {
        sent += chunk.length;
        if (!socket.write(chunk)) return;
      }
      if (sent >= STREAM_BYTES) socket.end();
    };
    socket.on('drain', pump);
    pump();
  });
  server.listen(sockPath, () => process.stdout.write('ready\n'));
  await once(process, 'SIGTERM');
  process.exit(0);
}

// Role: the console bridge in front of a unix socket, in a process of its own run from a bundle
// built as the helper's is (no TypeScript loader, no bench bookkeeping beside it).
async function runBridge(sockPath: string): Promise<void> {
  const bridge = await startBridgeServer(sockPath);
  process.stdout.write(`ready ${bridge.url}\n`);
}

// Role: the least a relay written in Node can do, the floor for the bridge beside minimal-relay.c:
// ws only answers the upgrade; then each read from the unix socket goes straight to the TCP socket
// as one frame, read into one reused buffer for as long as the kernel takes each write whole. No
// checks, no session, no input direction, no pings.
async function runMinimalNodeRelay(sockPath: string): Promise<void> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: () => 'binary' });
  const server = http.createServer();
  server.on('upgrade', (req, client: net.Socket, head) =>
    wss.handleUpgrade(req, client, head, () => {
      const fresh = (): Buffer => Buffer.allocUnsafeSlow(MAX_FRAME_HEADER + 256 * 1024).subarray(MAX_FRAME_HEADER);
      let readInto = fresh();
      const vm = net.createConnection({
        path: sockPath,
        onread: {
          buffer: () => readInto,
          callback: (n) => {
            client.write(frameInPlace(readInto.subarray(0, n), MAX_FRAME_HEADER)!);
            // Still queued: the next read needs a buffer of its own.
            if (client.writableLength > 0) readInto = fresh();
            if (client.writableLength > 1024 * 1024) {
              vm.pause();
              client.once('drain', () => vm.resume());
            }
            return true;
          },
        },
      });
      vm.on('error', () => client.destroy());
      vm.on('end', () => client.end());
      client.on('close', () => vm.destroy());
    }),
  );
  server.listen(0, '127.0.0.1', () => process.stdout.write(`ready ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/\n`));
  await once(process, 'SIGTERM');
  process.exit(0);
}

// Role: a unix-socket echo server.
async function runEcho(sockPath: string): Promise<void> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  server.listen(sockPath, () => process.stdout.write('ready\n'));
  await once(process, 'SIGTERM');
  process.exit(0);
}

// Role: a browser reading the display stream; counts bytes from the first one on.
async function runWsReader(url: string): Promise<void> {
  const ws = new WebSocket(url, ['binary'], { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  await countStream(ws, 'message', 'close');
}

// Role: a browser reading the display stream with the least work a WebSocket client can do: it
// reads into one reused buffer (a browser's network stack does not allocate per read, and Node's
// own reads made this reader, and websockify behind it, swing 5× from run to run), checks the
// upgrade, then walks frame headers and counts payload bytes without copying them.
async function runLeanReader(url: string): Promise<void> {
  const target = new URL(url);
  let onData: (data: Buffer) => void = () => undefined;
  const readBuffer = Buffer.allocUnsafe(256 * 1024);
  const socket = net.connect({
    port: Number(target.port),
    host: target.hostname,
    onread: { buffer: readBuffer, callback: (n) => (onData(readBuffer.subarray(0, n)), true) },
  });
  socket.write(
    `GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${Buffer.from('openutm-bench-16').toString('base64')}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n\r\n`,
  );
  let head: Buffer | null = Buffer.alloc(0);
  let partial = Buffer.alloc(0); // a frame header split across reads
  let payloadLeft = 0;
  let bytes = 0;
  let t0 = 0;
  let cpu0 = process.cpuUsage();
  const frames = (buf: Buffer): void => {
    let at = 0;
    while (at < buf.length) {
      if (payloadLeft > 0) {
        const take = Math.min(payloadLeft, buf.length - at);
        payloadLeft -= take;
        bytes += take;
        at += take;
        continue;
      }
      const h = Buffer.concat([partial, buf.subarray(at, at + 14)]);
      const len7 = h.length >= 2 ? h[1]! & 0x7f : 0;
      const size = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
      if (h.length < size) {
        partial = h;
        return;
      }
      at += size - partial.length;
      partial = Buffer.alloc(0);
      payloadLeft = len7 === 126 ? h.readUInt16BE(2) : len7 === 127 ? Number(h.readBigUInt64BE(2)) : len7;
    }
  };
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('end', () => resolve());
    onData = (data: Buffer) => {
      if (head !== null) {
        head = Buffer.concat([head, data]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!head.toString('latin1', 0, 12).includes('101')) reject(new Error(`no upgrade: ${head.toString('latin1', 0, 80)}`));
        data = head.subarray(end + 4);
        head = null;
      }
      if (t0 === 0 && data.length > 0) [t0, cpu0] = [performance.now(), process.cpuUsage()];
      frames(data);
      if (bytes >= STREAM_BYTES || (t0 > 0 && performance.now() - t0 >= STREAM_MS)) resolve();
    };
  });
  printAndExit({ bytes, ms: performance.now() - t0, cpuMs: cpuMsSince(cpu0) });
}

// Role: reading the display socket directly, the ceiling for any bridge.
async function runUnixReader(sockPath: string): Promise<void> {
  const socket = net.createConnection({ path: sockPath });
  await countStream(socket, 'data', 'end');
}

// Counts bytes from the first one on until STREAM_BYTES or STREAM_MS, prints {bytes, ms}, exits.
async function countStream(source: NodeJS.EventEmitter, dataEvent: string, endEvent: string): Promise<void> {
  let bytes = 0;
  let t0 = 0;
  let cpu0 = process.cpuUsage();
  await new Promise<void>((resolve, reject) => {
    source.on('error', reject);
    source.on(endEvent, () => resolve());
    source.on(dataEvent, (data: Buffer) => {
      if (t0 === 0) [t0, cpu0] = [performance.now(), process.cpuUsage()];
      bytes += data.length;
      if (bytes >= STREAM_BYTES || performance.now() - t0 >= STREAM_MS) resolve();
    });
  });
  printAndExit({ bytes, ms: performance.now() - t0, cpuMs: cpuMsSince(cpu0) });
}

// Role: reading the display socket directly into one reused buffer (no allocation per read).
async function runPooledUnixReader(sockPath: string): Promise<void> {
  let bytes = 0;
  let t0 = 0;
  let cpu0 = process.cpuUsage();
  await new Promise<void>((resolve, reject) => {
    const socket = net.createConnection({
      path: sockPath,
      onread: {
        buffer: Buffer.allocUnsafe(256 * 1024),
        callback: (n) => {
          if (t0 === 0) [t0, cpu0] = [performance.now(), process.cpuUsage()];
          bytes += n;
          if (bytes >= STREAM_BYTES || performance.now() - t0 >= STREAM_MS) resolve();
          return true;
        },
      },
    });
    socket.on('error', reject);
    socket.on('end', () => resolve());
  });
  printAndExit({ bytes, ms: performance.now() - t0, cpuMs: cpuMsSince(cpu0) });
}

// CPU time (user + system) this process has used since `from`, in ms.
function cpuMsSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

// Role: sends one small frame at a time and waits for its echo; prints the round-trip times.
// Given several URLs (space-separated) it takes turns between their connections, trip by trip,
// and which goes first swaps every other turn.
async function runPinger(urls: string): Promise<void> {
  const sockets = await Promise.all(
    urls.split(' ').map(async (url) => {
      const ws = new WebSocket(url, ['binary'], { perMessageDeflate: false });
      await once(ws, 'open');
      // websockify answers a close with a code ws refuses; the trips are done by then.
      ws.on('error', () => undefined);
      return ws;
    }),
  );
  const frame = Buffer.alloc(FRAME_BYTES, 1);
  const rtts: number[][] = sockets.map(() => []);
  const pending: Buffer[] = sockets.map(() => Buffer.alloc(0));
  const trip = async (k: number): Promise<number> => {
    const ws = sockets[k]!;
    const t = performance.now();
    const echoed = new Promise<void>((resolve) => {
      const on = (data: Buffer): void => {
        pending[k] = Buffer.concat([pending[k]!, data]);
        if (pending[k]!.length >= FRAME_BYTES) {
          pending[k] = pending[k]!.subarray(FRAME_BYTES);
          ws.off('message', on);
          resolve();
        }
      };
      ws.on('message', on);
    });
    ws.send(frame, { binary: true });
    await echoed;
    return performance.now() - t;
  };
  const order = sockets.map((_, k) => k);
  for (let i = 0; i < WARMUP_TRIPS + ROUND_TRIPS * (sockets.length > 1 ? PING_ROUNDS : 1); i++) {
    if (sockets.length > 1 && i % 2 === 0) order.reverse();
    for (const k of order) {
      const ms = await trip(k);
      if (i >= WARMUP_TRIPS) rtts[k]!.push(ms);
    }
  }
  for (const ws of sockets) ws.close();
  printAndExit({ rtts });
}
