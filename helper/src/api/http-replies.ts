import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { baseSecurityHeaders } from './static-headers';

// A short plain-text answer (refusals, 404s); never cached, so a fixed setup is seen at once.
export function replyText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(`${text}\n`, 'utf8');
  res.writeHead(status, {
    ...baseSecurityHeaders(),
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

// A JSON answer for /api/pair; tokens must never land in a cache.
export function replyJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, {
    ...baseSecurityHeaders(),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(body);
}

// Refuses a WebSocket upgrade with a plain HTTP response and drops the socket: the handshake
// never completes, so a refused page never holds an open socket. Exported for the console
// bridge, which refuses its own upgrades the same way.
export function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  if (!socket.writable || socket.destroyed) {
    socket.destroy();
    return;
  }
  const body = Buffer.from(`${text}\n`, 'utf8');
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Refused'}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${body.length}`,
    'Cache-Control: no-store',
    ...Object.entries(baseSecurityHeaders()).map(([k, v]) => `${k}: ${v}`),
  ].join('\r\n');
  // Destroy only after the answer is flushed, or the client sees a reset instead of the reason.
  socket.once('finish', () => socket.destroy());
  socket.end(Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body]));
}
