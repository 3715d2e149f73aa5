import type { IncomingMessage, ServerResponse } from 'node:http';
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
import { directoryWebRoot, type WebFile, type WebRoot } from './web-root';

export interface StaticFilesOptions {
  // The web app: a directory (the Next.js static export, web/out) or a WebRoot such as the
  // single executable's assets. When there is none, a page says how to build it.
  root: string | WebRoot | undefined;
  // The port the helper listens on, for the CSP's connect-src.
  port: number;
}

// Answers one GET/HEAD for a static file; never throws (a failure mid-stream drops the socket).
export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

// Serves the web app the way a static host would, with caching fit for a service worker and
// no way out of the root: paths are refused before they reach the web root, and the web root
// itself only answers for files inside it.
export function createStaticHandler(opts: StaticFilesOptions): StaticHandler {
  const csp = contentSecurityPolicy(opts.port);
  const webRoot = typeof opts.root === 'object' ? opts.root : directoryWebRoot(opts.root);
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
    const source = await webRoot.current();
    if (source === null) {
      sendPage(req, res, 503, notBuiltPage(webRoot.label), csp);
      return;
    }
    for (const segments of candidateFiles(parsed)) {
      const opened = await source.open(segments);
      if (opened === 'outside') {
        replyText(res, 403, 'that path leads outside the web app');
        return;
      }
      if (opened !== 'missing') {
        await sendFile(req, res, opened, segments, 200, csp);
        return;
      }
    }
    const notFound = await source.open(['404.html']);
    if (typeof notFound === 'object') await sendFile(req, res, notFound, ['404.html'], 404, csp);
    else replyText(res, 404, 'not found');
  };
}

async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: WebFile,
  segments: readonly string[],
  status: 200 | 404,
  csp: string,
): Promise<void> {
  const name = segments[segments.length - 1]!;
  const etag = etagFor({ size: file.size, mtimeMs: file.mtime.getTime() });
  const headers: Record<string, string> = {
    ...baseSecurityHeaders(),
    'Cache-Control': status === 200 ? cacheControlFor(segments) : REVALIDATE,
    ETag: etag,
    'Last-Modified': file.mtime.toUTCString(),
  };
  if (name.endsWith('.html')) headers['Content-Security-Policy'] = csp;
  if (status === 200 && isNotModified(req.headers, etag, file.mtime)) {
    await file.release();
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(status, { ...headers, 'Content-Type': contentTypeFor(name), 'Content-Length': String(file.size) });
  if (req.method === 'HEAD') {
    await file.release();
    res.end();
    return;
  }
  const body = file.take();
  if (body instanceof Uint8Array) {
    res.end(body);
    return;
  }
  // A client that goes away mid-file just ends the pipeline.
  await pipeline(body, res).catch(() => res.destroy());
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
