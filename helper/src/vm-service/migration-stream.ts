import { closeSync, fdatasync as fdatasyncCb, fsync as fsyncCb, open as openCb, readSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import net from 'node:net';

// QEMU's migration stream goes through a socket the helper owns, never a shell (`exec:`) nor a
// path QEMU parses (a library path may hold commas and spaces, and `file:` needs QEMU 8.2): a
// unix socket in the VM's private runtime dir, or loopback TCP where Node has no AF_UNIX.
export type StreamEndpoint = { kind: 'unix'; path: string } | { kind: 'tcp' };

// The migration URI QEMU is given for an endpoint the helper listens on or connects to.
export function migrationUri(address: { kind: 'unix'; path: string } | { kind: 'tcp'; port: number }): string {
  return address.kind === 'unix' ? `unix:${address.path}` : `tcp:127.0.0.1:${address.port}`;
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

// Every this many bytes written, the file is flushed to disk in the background while the stream
// goes on, so the sync at the end, which QEMU's quit waits for, has only the tail left to write.
const SYNC_EVERY = 16 * 1024 * 1024;

// Listens for one migration connection and writes what arrives into `file` (created 0600: it
// holds the guest's memory). Each read is written synchronously as it arrives: a page-cache
// write of one read takes well under a millisecond, and skipping the thread pool and stream
// machinery keeps the helper from being the slow end of QEMU's stream on a busy host.
export async function listenForState(endpoint: StreamEndpoint, file: string): Promise<StateSink> {
  // Opened (and emptied) before QEMU is asked, so an unwritable folder fails before anything moves.
  const fd = await openFd(file, 'w', 0o600);
  // Paused, so the connection's reads can be taken over before the first one (readInto).
  const server = net.createServer({ pauseOnConnect: true });
  try {
    if (endpoint.kind === 'unix') await rm(endpoint.path, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (endpoint.kind === 'unix') server.listen(endpoint.path, resolve);
      else server.listen(0, '127.0.0.1', resolve);
    });
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  const port = (server.address() as net.AddressInfo | null)?.port ?? 0;
  let conn: net.Socket | null = null;
  let bytes = 0;
  let open = true;
  // The background flush in flight (one at a time); the fd is closed only once it is over.
  let flushing: Promise<void> | null = null;
  let unflushed = 0;
  const closeFd = () => {
    if (!open) return;
    open = false;
    if (flushing) void flushing.finally(() => closeSync(fd));
    else closeSync(fd);
  };
  // A background flush that fails is not an error yet: the final fsync reports what is wrong.
  const flushSome = () => {
    unflushed = 0;
    flushing = fdatasyncFd(fd).then(
      () => void (flushing = null),
      () => void (flushing = null),
    );
  };
  let settle!: { resolve: (n: number) => void; reject: (e: unknown) => void };
  const written = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));
  written.catch(() => undefined);
  const fail = (e: unknown) => {
    (conn as net.Socket | null)?.destroy();
    closeFd();
    settle.reject(e);
  };
  server.once('connection', (accepted) => {
    // One stream only: whoever else connects later is turned away.
    server.close();
    const socket = readInto(accepted, (chunk) => {
      if (!open) return;
      try {
        for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at);
        bytes += chunk.length;
        unflushed += chunk.length;
        if (unflushed >= SYNC_EVERY && !flushing) flushSome();
      } catch (e) {
        fail(e);
      }
    });
    conn = socket;
    socket.once('error', fail);
    socket.once('end', () => {
      if (!open) return;
      (flushing ?? Promise.resolve()).then(() => fsyncFd(fd)).then(
        () => {
          closeFd();
          settle.resolve(bytes);
        },
        fail,
      );
    });
  });
  return {
    uri: endpoint.kind === 'unix' ? migrationUri(endpoint) : migrationUri({ kind: 'tcp', port }),
    written,
    abort: () => {
      server.close();
      fail(new Error('the save was given up'));
    },
  };
}

// How much one read of the stream may take. A socket's own reads are 64 KiB each, in a new buffer
// every time; reading into one large buffer that is reused makes the helper's side of a save
// about 2.5 times faster (fewer, larger reads and writes, and no garbage to collect).
const READ_BUFFER = 1024 * 1024;

// Reads an accepted (still paused) connection, handing each read to onChunk, which must be done
// with the bytes when it returns (the buffer is reused). Node offers a reused read buffer
// (`onread`) only to sockets it creates from a handle, not to those a server accepts, so the
// accepted socket's handle is given to a new socket that reads that way; where the handle is not
// there to take (another runtime), the connection is read as it is.
function readInto(accepted: net.Socket, onChunk: (chunk: Buffer) => void): net.Socket {
  const handle = (accepted as unknown as { _handle?: unknown })._handle;
  if (handle) {
    const buffer = Buffer.allocUnsafe(READ_BUFFER);
    const options = { handle, onread: { buffer, callback: (n: number, buf: Uint8Array) => void onChunk(Buffer.from(buf.buffer, buf.byteOffset, n)) } };
    return new net.Socket(options as net.SocketConstructorOpts);
  }
  accepted.on('data', onChunk);
  accepted.resume();
  return accepted;
}

// The chunk the saved stream is read in for QEMU: large, so the helper wakes up rarely.
const FEED_CHUNK = 4 * 1024 * 1024;

// Connects to QEMU's `migrate-incoming` endpoint and sends the saved stream; resolves once every
// byte has been handed to QEMU.
export async function feedState(file: string, address: { kind: 'unix'; path: string } | { kind: 'tcp'; port: number }, onBytes: (total: number) => void): Promise<void> {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = address.kind === 'unix' ? net.createConnection({ path: address.path }) : net.createConnection({ host: '127.0.0.1', port: address.port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  const fd = await openFd(file, 'r', 0);
  let failure: Error | null = null;
  socket.on('error', (e) => (failure ??= e));
  try {
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(FEED_CHUNK);
      const n = readSync(fd, chunk, 0, FEED_CHUNK, null);
      if (n === 0) break;
      total += n;
      onBytes(total);
      if (!socket.write(chunk.subarray(0, n))) await drained(socket);
      if (failure || socket.destroyed) throw failure ?? new Error('QEMU closed the connection before taking the whole saved state');
    }
    await new Promise<void>((resolve) => socket.end(resolve));
  } catch (e) {
    socket.destroy();
    throw e;
  } finally {
    closeSync(fd);
  }
}

// Until the socket takes writes again or is gone; each wait takes its listeners with it.
function drained(socket: net.Socket): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      socket.off('drain', done).off('close', done);
      resolve();
    };
    socket.on('drain', done).on('close', done);
  });
}

const openFd = promisify(openCb);
const fsyncFd = promisify(fsyncCb);
const fdatasyncFd = promisify(fdatasyncCb);
