import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import net from 'node:net';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// QEMU's migration stream goes through a socket the helper owns, never a shell (`exec:`) nor a
// path QEMU parses (a library path may hold commas and spaces, and `file:` needs QEMU 8.2): a
// unix socket in the VM's private runtime dir, or loopback TCP where Node has no AF_UNIX.
export type StreamEndpoint = { kind: 'unix'; path: string } | { kind: 'tcp' };

// The migration URI QEMU is given for an endpoint the helper listens on or connects to.
export function migrationUri(address: { kind: 'unix'; path: string } | { kind: 'tcp'; port: number }): string {
  return address.kind === 'unix' ? `unix:${address.path}` : `tcp:127.0.0.1:${address.port}`;
}

// Counts the bytes that pass, for progress.
function counter(onBytes: (total: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      onBytes(total);
      done(null, chunk);
    },
  });
}

export interface StateSink {
  // Where QEMU's `migrate` should send the stream.
  uri: string;
  // Resolves with the byte count once QEMU closed the stream and every byte is on disk (fsync);
  // rejects when writing fails (a full disk): the socket is cut, so QEMU's migration fails too.
  written: Promise<number>;
  // Stops listening and cuts a connection in progress (the save was given up).
  abort(): void;
}

// Listens for one migration connection and writes what arrives into `file` (created 0600: it
// holds the guest's memory).
export async function listenForState(endpoint: StreamEndpoint, file: string): Promise<StateSink> {
  // Opened (and emptied) before QEMU is asked, so an unwritable folder fails before anything moves.
  const out = createWriteStream(file, { flags: 'w', mode: 0o600 });
  const server = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => out.once('error', reject).once('open', () => resolve()));
    if (endpoint.kind === 'unix') await rm(endpoint.path, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (endpoint.kind === 'unix') server.listen(endpoint.path, resolve);
      else server.listen(0, '127.0.0.1', resolve);
    });
  } catch (e) {
    out.destroy();
    throw e;
  }
  const port = (server.address() as net.AddressInfo | null)?.port ?? 0;
  let conn: net.Socket | null = null;
  let bytes = 0;
  let settle!: { resolve: (n: number) => void; reject: (e: unknown) => void };
  const written = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));
  written.catch(() => undefined);
  server.once('connection', (socket) => {
    // One stream only: whoever else connects later is turned away.
    server.close();
    conn = socket;
    pipeline(socket, counter((n) => (bytes = n)), out)
      .then(() => syncFile(file))
      .then(
        () => settle.resolve(bytes),
        (e: unknown) => settle.reject(e),
      );
  });
  return {
    uri: endpoint.kind === 'unix' ? migrationUri(endpoint) : migrationUri({ kind: 'tcp', port }),
    written,
    abort: () => {
      server.close();
      (conn as net.Socket | null)?.destroy();
      out.destroy();
      settle.reject(new Error('the save was given up'));
    },
  };
}

// fsync through a second descriptor: it flushes the file's data all the same, and the stream
// that wrote it could close on its own (a FileHandle kept open for this would need its stream
// never to close, and then never closes itself).
async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// Connects to QEMU's `migrate-incoming` endpoint and sends the saved stream; resolves once every
// byte has been handed to QEMU.
export async function feedState(file: string, address: { kind: 'unix'; path: string } | { kind: 'tcp'; port: number }, onBytes: (total: number) => void): Promise<void> {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = address.kind === 'unix' ? net.createConnection({ path: address.path }) : net.createConnection({ host: '127.0.0.1', port: address.port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), counter(onBytes), socket);
}
