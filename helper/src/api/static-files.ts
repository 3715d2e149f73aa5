import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CompressedBodies, chooseEncoding, isCompressible } from './compression';
import { inlineScriptHashes } from './inline-script-hashes';
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
  const pagePolicy = pagePolicies(opts.port);
  const compressed = new CompressedBodies();
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
        await sendFile(req, res, opened, segments, 200, pagePolicy, compressed);
        return;
      }
    }
    const notFound = await source.open(['404.html']);
    if (typeof notFound === 'object') await sendFile(req, res, notFound, ['404.html'], 404, pagePolicy, compressed);
    else replyText(res, 404, 'not found');
  };
}

async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: WebFile,
  segments: readonly string[],
  status: 200 | 404,
  pagePolicy: PagePolicies,
  compressed: CompressedBodies,
): Promise<void> {
  const name = segments[segments.length - 1]!;
  const type = contentTypeFor(name);
  const etag = etagFor({ size: file.size, mtimeMs: file.mtime.getTime() });
  const compressible = isCompressible(type, file.size);
  const headers: Record<string, string> = {
    ...baseSecurityHeaders(),
    'Cache-Control': status === 200 ? cacheControlFor(segments) : REVALIDATE,
    ETag: etag,
    'Last-Modified': file.mtime.toUTCString(),
    // Caches between here and the page keep one copy per encoding.
    ...(compressible ? { Vary: 'Accept-Encoding' } : {}),
  };
  // A page's policy names its own inline scripts, so its bytes are read first (pages are small).
  let page: Uint8Array | null = null;
  if (name.endsWith('.html')) {
    page = await readWhole(file.take());
    headers['Content-Security-Policy'] = pagePolicy(segments.join('/'), etag, page);
  }
  if (status === 200 && isNotModified(req.headers, etag, file.mtime)) {
    if (page === null) await file.release();
    res.writeHead(304, headers).end();
    return;
  }
  const encoding = compressible ? chooseEncoding(req.headers['accept-encoding']) : null;
  let body: Readable | Uint8Array | null = page;
  let length = file.size;
  if (encoding !== null) {
    const key = CompressedBodies.key(segments.join('/'), etag, encoding);
    let packed = compressed.cached(key);
    if (packed !== undefined) {
      if (body === null) await file.release();
    } else {
      body ??= await readWhole(file.take());
      packed = await compressed.get(key, body, encoding).catch(() => undefined);
    }
    // A failed compression sends the bytes as they are.
    if (packed !== undefined) {
      body = packed;
      length = packed.byteLength;
      headers['Content-Encoding'] = encoding;
    }
  }
  res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': String(length) });
  if (req.method === 'HEAD') {
    if (body === null) await file.release();
    res.end();
    return;
  }
  body ??= file.take();
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

// The CSP of one page, by path and ETag: a rebuilt page gets a new ETag and so new hashes.
type PagePolicies = (path: string, etag: string, bytes: Uint8Array) => string;

// Pages seen, at most; an export has a few dozen.
const MAX_POLICIES = 256;

function pagePolicies(port: number): PagePolicies {
  const cache = new Map<string, string>();
  return (pagePath, etag, bytes) => {
    const key = `${pagePath}\n${etag}`;
    let policy = cache.get(key);
    if (policy === undefined) {
      policy = contentSecurityPolicy(port, inlineScriptHashes(Buffer.from(bytes).toString('utf8')));
      if (cache.size >= MAX_POLICIES) cache.delete(cache.keys().next().value!);
      cache.set(key, policy);
    }
    return policy;
  };
}

async function readWhole(body: Readable | Uint8Array): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
