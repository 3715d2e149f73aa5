import { open, realpath, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { replyText } from './http-replies';
import { notBuiltPage } from './not-built-page';
import {
  REVALIDATE,
  baseSecurityHeaders,
  cacheControlFor,
  contentSecurityPolicy,
  contentTypeFor,
  etagFor,
  isNotModified,
} from './static-headers';
import { candidateFiles, parseStaticPath } from './static-paths';

export interface StaticFilesOptions {
  // The Next.js static export (web/out); when missing, a page says how to build it.
  root: string | undefined;
  // The port the helper listens on, for the CSP's connect-src.
  port: number;
}

// Answers one GET/HEAD for a static file; never throws (a failure mid-stream drops the socket).
export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

type Opened = { fh: FileHandle; st: Stats } | 'missing' | 'outside';

// Serves the web app the way a static host would, with caching fit for a service worker and
// no way out of the root: paths are refused before they reach the file system, and each file
// is checked after symlinks are resolved.
export function createStaticHandler(opts: StaticFilesOptions): StaticHandler {
  const csp = contentSecurityPolicy(opts.port);
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      replyText(res, 405, 'only GET and HEAD are served here', { Allow: 'GET, HEAD' });
      return;
    }
    const parsed = parseStaticPath(req.url ?? '/');
    if (!parsed.ok) {
      replyText(res, parsed.status, parsed.reason);
      return;
    }
    // Looked up per request: the app may be built while the helper runs.
    const root = opts.root === undefined ? null : await realpath(opts.root).catch(() => null);
    if (root === null) {
      sendPage(req, res, 503, notBuiltPage(opts.root), csp);
      return;
    }
    for (const segments of candidateFiles(parsed)) {
      const opened = await openInside(root, segments);
      if (opened === 'outside') {
        replyText(res, 403, 'that path leads outside the web app');
        return;
      }
      if (opened !== 'missing') {
        await sendFile(req, res, opened, segments, 200, csp);
        return;
      }
    }
    const notFound = await openInside(root, ['404.html']);
    if (typeof notFound === 'object') await sendFile(req, res, notFound, ['404.html'], 404, csp);
    else replyText(res, 404, 'not found');
  };
}

async function openInside(root: string, segments: readonly string[]): Promise<Opened> {
  let real: string;
  try {
    real = await realpath(path.join(root, ...segments));
  } catch {
    return 'missing';
  }
  if (!real.startsWith(root + path.sep)) return 'outside';
  let fh: FileHandle;
  try {
    fh = await open(real, 'r');
  } catch {
    return 'missing';
  }
  // Stat the open handle, not the path, so what is checked is what is sent.
  const st = await fh.stat().catch(() => null);
  if (st === null || !st.isFile()) {
    await fh.close();
    return 'missing';
  }
  return { fh, st };
}

async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  { fh, st }: { fh: FileHandle; st: Stats },
  segments: readonly string[],
  status: 200 | 404,
  csp: string,
): Promise<void> {
  const name = segments[segments.length - 1]!;
  const etag = etagFor(st);
  const headers: Record<string, string> = {
    ...baseSecurityHeaders(),
    'Cache-Control': status === 200 ? cacheControlFor(segments) : REVALIDATE,
    ETag: etag,
    'Last-Modified': st.mtime.toUTCString(),
  };
  if (name.endsWith('.html')) headers['Content-Security-Policy'] = csp;
  if (status === 200 && isNotModified(req.headers, etag, st.mtime)) {
    await fh.close();
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(status, { ...headers, 'Content-Type': contentTypeFor(name), 'Content-Length': String(st.size) });
  if (req.method === 'HEAD') {
    await fh.close();
    res.end();
    return;
  }
  // The stream closes the handle; a client that goes away mid-file just ends the pipeline.
  await pipeline(fh.createReadStream(), res).catch(() => res.destroy());
}

function sendPage(req: IncomingMessage, res: ServerResponse, status: number, html: string, csp: string): void {
  const body = Buffer.from(html, 'utf8');
  res.writeHead(status, {
    ...baseSecurityHeaders(),
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
    'Content-Security-Policy': csp,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
