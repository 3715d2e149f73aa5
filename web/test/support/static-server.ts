import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

// A hosted origin in miniature: serves a Next static export from `root` on 127.0.0.1, port 0,
// resolving `/pair` to pair.html as the helper and GitHub Pages do. For tests only.
export async function serveStatic(root: string): Promise<{ origin: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const pathname = decodeURIComponent((req.url ?? '/').split('?')[0]!);
      const segments = pathname.split('/').filter(Boolean);
      if (segments.some((s) => s === '..' || s.includes('\\'))) return res.writeHead(403).end();
      const base = path.join(root, ...segments);
      const candidates = segments.length === 0 ? [path.join(root, 'index.html')] : [base, path.join(base, 'index.html'), `${base}.html`];
      for (const file of candidates) {
        const st = await stat(file).catch(() => null);
        if (st?.isFile()) {
          res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
          return res.end(await readFile(file));
        }
      }
      res.writeHead(404, { 'Content-Type': TYPES['.html']! }).end(await readFile(path.join(root, '404.html')).catch(() => 'not found'));
    })().catch((e: unknown) => res.writeHead(500).end(String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
