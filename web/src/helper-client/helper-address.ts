// Where the helper is. The helper listens on loopback only, so only loopback addresses are
// accepted from anywhere (URL, preference): a link cannot point this page, and the token it
// would send, at another machine.

// The helper's port when nobody says otherwise (OPENUTM_PORT on the helper side).
export const DEFAULT_HELPER_ORIGIN = 'http://127.0.0.1:47320';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

// `127.0.0.1:47320`, `http://localhost:47400` or `[::1]:47320` → `http://127.0.0.1:47320`-style
// origin; null when it is not a loopback http(s) address with a port.
export function parseHelperOrigin(raw: string): string | null {
  const text = raw.trim();
  if (text === '' || text.length > 200) return null;
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!LOOPBACK_HOSTS.has(url.hostname)) return null;
  if (url.port === '' || url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '')) return null;
  return url.origin;
}

// The pieces of the page's location this module reads (window.location in the browser).
export interface PageLocation {
  protocol: string;
  hostname: string;
  port: string;
  origin: string;
}

// True when the page itself comes from a helper: a loopback origin with an explicit port.
export function isServedByHelper(page: PageLocation): boolean {
  return (page.protocol === 'http:' || page.protocol === 'https:') && LOOPBACK_HOSTS.has(page.hostname) && page.port !== '';
}

// Picks the helper, first match wins: a saved preference (set from ?helper= or the pairing
// page), the build's NEXT_PUBLIC_OPENUTM_HELPER (for `next dev`), the page's own origin when the
// helper served it, else the default port.
export function resolveHelperOrigin(page: PageLocation, saved: string | null, buildDefault: string | undefined): string {
  const fromSaved = saved === null ? null : parseHelperOrigin(saved);
  if (fromSaved !== null) return fromSaved;
  const fromBuild = buildDefault === undefined ? null : parseHelperOrigin(buildDefault);
  if (fromBuild !== null) return fromBuild;
  if (isServedByHelper(page)) return page.origin;
  return DEFAULT_HELPER_ORIGIN;
}

// The API WebSocket of a helper origin.
export function apiSocketUrl(origin: string): string {
  return `${origin.replace(/^http/, 'ws')}/api`;
}

// The pairing endpoint of a helper origin.
export function pairUrl(origin: string): string {
  return `${origin}/api/pair`;
}

// How the address reads to people: `127.0.0.1:47320`.
export function displayAddress(origin: string): string {
  return origin.replace(/^https?:\/\//, '');
}

// A console WebSocket of a helper origin: the path and ticket from console.open, plus the
// channel when it is not the display.
export function consoleSocketUrl(origin: string, path: string, ticket: string, channel: 'display' | 'serial'): string {
  const query = new URLSearchParams({ ticket });
  if (channel !== 'display') query.set('channel', channel);
  return `${origin.replace(/^http/, 'ws')}${path}?${query.toString()}`;
}
