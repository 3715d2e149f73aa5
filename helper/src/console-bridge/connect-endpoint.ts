import net from 'node:net';
import { OpenUtmError } from '@openutm/shared';
import type { ControlEndpoint, Endpoint } from '../runtime/runtime-paths';
import { PooledReader, type PooledReaderOptions } from './pooled-reader';

const DEFAULT_TIMEOUT_MS = 3_000;

// "unix:/run/…/spice.sock", "tcp:127.0.0.1:5930" or "pipe:\\.\pipe\openutm-…", for messages and logs.
export function describeEndpoint(endpoint: ControlEndpoint): string {
  return endpoint.kind === 'tcp' ? `tcp:${endpoint.host}:${endpoint.port}` : `${endpoint.kind}:${endpoint.path}`;
}

// How to connect: a deadline, and optionally net's `onread` for pooled reads.
export interface ConnectOptions {
  timeoutMs?: number;
  // Read into caller-supplied buffers instead of emitting 'data' (see PooledReader).
  onread?: net.OnReadOpts;
}

// One fresh connection to a QEMU endpoint, resolved once connected; QEMU_FAILED when nothing
// listens there or it does not accept within timeoutMs.
export function connectEndpoint(endpoint: Endpoint, opts: ConnectOptions = {}): Promise<net.Socket> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const onread = opts.onread === undefined ? {} : { onread: opts.onread };
  return new Promise((resolve, reject) => {
    const socket =
      endpoint.kind === 'unix'
        ? net.createConnection({ path: endpoint.path, ...onread })
        : net.createConnection({ host: endpoint.host, port: endpoint.port, ...onread });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new OpenUtmError('QEMU_FAILED', `QEMU did not accept a connection on ${describeEndpoint(endpoint)} within ${timeoutMs} ms; the VM may be hung, try again or restart it`),
      );
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      // Loopback TCP (hosts without unix sockets) would hold small input frames back (Nagle).
      if (endpoint.kind === 'tcp') socket.setNoDelay(true);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        new OpenUtmError('QEMU_FAILED', `cannot connect to QEMU at ${describeEndpoint(endpoint)} (${e.code ?? e.message}); is the VM still running?`, {
          endpoint: describeEndpoint(endpoint),
        }),
      );
    });
  });
}

// A connection to a VM's display socket and the reader its chunks come from.
export interface DisplayConnection {
  socket: net.Socket;
  reader: PooledReader;
}

// Connects to a display socket (SPICE or VNC) reading into pooled large buffers.
export async function connectDisplay(endpoint: Endpoint, opts: { timeoutMs?: number; reader?: PooledReaderOptions } = {}): Promise<DisplayConnection> {
  const reader = new PooledReader(opts.reader);
  const socket = await connectEndpoint(endpoint, { timeoutMs: opts.timeoutMs, onread: reader.onread });
  return { socket, reader };
}
