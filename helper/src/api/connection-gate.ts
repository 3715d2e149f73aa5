import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { PeerCheck } from './qemu-peer-check';
import { countedLog } from './counted-log';
import type { SocketBudget } from './socket-budget';

// A hard ceiling on open connections of every kind, far above what the budgets allow (HTTP
// sockets, hello waiting room): only a runaway number of authenticated clients could reach it.
export const MAX_CONNECTIONS = 1024;

export interface GateOptions {
  http: HttpServer;
  budget: SocketBudget;
  // Refuses connections from the helper's own QEMU processes; absent = off.
  peerCheck?: PeerCheck;
  log: (line: string) => void;
}

// The listening socket in front of the HTTP server: every TCP connection is accepted paused,
// checked (whose is it?) and counted (bounded, oldest idle evicted) before the HTTP parser
// sees a byte of it.
export function createConnectionGate(opts: GateOptions): NetServer {
  const gate = createNetServer({ pauseOnConnect: true });
  gate.maxConnections = MAX_CONNECTIONS;
  // The HTTP server never listens itself, but it tracks its connections (for closeAllConnections)
  // and enforces headersTimeout/requestTimeout only once 'listening' has set that up.
  opts.http.emit('listening');
  const refused = countedLog(opts.log, 'refused connections from a VM guest (its QEMU process owns the peer socket)');
  gate.on('connection', (socket: Socket) => {
    socket.on('error', () => socket.destroy());
    void admit(socket);
  });

  async function admit(socket: Socket): Promise<void> {
    if (opts.peerCheck !== undefined && socket.remoteAddress !== undefined) {
      const peer = { localAddress: socket.localAddress ?? '', localPort: socket.localPort ?? 0, remoteAddress: socket.remoteAddress, remotePort: socket.remotePort ?? 0 };
      const fromQemu = await opts.peerCheck(peer).catch(() => false);
      if (fromQemu) {
        refused();
        socket.destroy();
        return;
      }
    }
    if (socket.destroyed) return;
    opts.budget.admit(socket);
    opts.http.emit('connection', socket);
    socket.resume();
  }
  return gate;
}
