import path from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

// With nosniff set, a wrong type breaks the page, so every type the export holds is listed.
export function contentTypeFor(file: string): string {
  const ext = path.extname(file).toLowerCase();
  return Object.hasOwn(TYPES, ext) ? TYPES[ext]! : 'application/octet-stream';
}

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

// A content hash in the file name (`main-3f9a1c2b.js`, `workbox-4754cb34.js`): 8+ hex digits
// with at least one digit, so that words like `deadbeef-free.js` do not count by accident.
const HASHED = /[.-](?=[0-9a-f]*[0-9])[0-9a-f]{8,}\.[a-z0-9]+$/;

// Build output whose name changes with its content is cached forever; everything else (HTML,
// sw.js, the manifest, icons) is revalidated each time so a new build and a new service
// worker are picked up at once.
export function cacheControlFor(segments: readonly string[]): string {
  const name = segments[segments.length - 1] ?? 'index.html';
  if (name.endsWith('.html') || name === 'sw.js' || name === 'manifest.webmanifest') return REVALIDATE;
  if (segments[0] === '_next' && segments[1] === 'static') return IMMUTABLE;
  return HASHED.test(name) ? IMMUTABLE : REVALIDATE;
}

// Scripts: this origin's files plus the page's own inline scripts by hash (inlineScriptHashes),
// never 'unsafe-inline'. Next still needs inline styles; everything else is this origin only,
// and the only sockets are the helper's own.
export function contentSecurityPolicy(port: number, scriptHashes: readonly string[] = []): string {
  return [
    "default-src 'self'",
    ["script-src 'self'", ...scriptHashes].join(' '),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

// Sent on every response the helper makes, refusals included.
export function baseSecurityHeaders(): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
  };
}

// A weak validator from size and mtime: cheap, and right for files a build rewrites whole.
export function etagFor(st: { size: number; mtimeMs: number }): string {
  return `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
}

// If-None-Match wins over If-Modified-Since, as RFC 9110 says.
export function isNotModified(headers: IncomingHttpHeaders, etag: string, mtime: Date): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) {
    return inm
      .split(',')
      .map((t) => t.trim().replace(/^W\//, ''))
      .some((t) => t === '*' || t === etag.replace(/^W\//, ''));
  }
  const ims = headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Math.floor(mtime.getTime() / 1000) <= Math.floor(since / 1000);
}
