// A request path taken apart for the static file server, or the reason it is refused.
export type StaticPath =
  | { ok: true; segments: string[]; trailingSlash: boolean }
  | { ok: false; status: 400 | 403; reason: string };

const refuse = (reason: string): StaticPath => ({ ok: false, status: 403, reason });

// Turns the raw request target into path segments that cannot leave the web root: decoded
// once, with `..`, `.`, NUL, backslashes, encoded slashes and drive letters refused outright
// rather than "cleaned up" (cleaning is where traversal bugs live). The caller still checks
// that the file it opens resolves inside the root, for symlinks.
export function parseStaticPath(target: string): StaticPath {
  const cut = target.search(/[?#]/);
  const raw = cut < 0 ? target : target.slice(0, cut);
  // Absolute-form (`GET http://host/x`) and asterisk-form targets are not for a file server.
  if (!raw.startsWith('/')) return { ok: false, status: 400, reason: 'the request target must be a path starting with /' };
  if (raw.includes('\\')) return refuse('backslashes are not allowed in paths');
  // An encoded slash, backslash or NUL would survive as one segment and split later.
  if (/%(2f|5c|00)/i.test(raw)) return refuse('encoded slashes and NUL are not allowed in paths');
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { ok: false, status: 400, reason: 'the path is not valid percent-encoding' };
  }
  if (/[\u0000-\u001f\u007f\\]/.test(decoded)) return refuse('control characters and backslashes are not allowed in paths');
  const parts = decoded.split('/').slice(1);
  const segments = parts.filter((s) => s !== '');
  for (const s of segments) {
    if (s === '.' || s === '..') return refuse('. and .. are not allowed in paths');
    // `C:` or `file::$DATA` mean something else to Windows than a file name.
    if (s.includes(':')) return refuse('colons are not allowed in paths');
  }
  return { ok: true, segments, trailingSlash: segments.length > 0 && decoded.endsWith('/') };
}

// The files a Next.js static export may hold for a path, in the order to try them:
// `/` → index.html; `/vm/abc` → vm/abc, vm/abc/index.html, vm/abc.html.
export function candidateFiles(p: { segments: string[]; trailingSlash: boolean }): string[][] {
  const { segments } = p;
  if (segments.length === 0) return [['index.html']];
  const last = segments[segments.length - 1]!;
  const parent = segments.slice(0, -1);
  const asDir = [...segments, 'index.html'];
  const asHtml = [...parent, `${last}.html`];
  return p.trailingSlash ? [asDir, asHtml] : [segments, asDir, asHtml];
}
