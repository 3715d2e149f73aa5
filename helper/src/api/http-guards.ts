import { OpenUtmError } from '@openutm/shared';

// The outcome of a guard: either fine, or refused with a short reason for the 403 body.
export type GuardResult = { ok: true } | { ok: false; reason: string };

const OK: GuardResult = { ok: true };

// DNS rebinding: a page on evil.example whose name resolves to 127.0.0.1 still sends
// `Host: evil.example:P`, so only the loopback names themselves are accepted.
export function checkHost(hostHeader: string | undefined, port: number): GuardResult {
  if (hostHeader === undefined || hostHeader === '') return { ok: false, reason: 'the request has no Host header' };
  const host = hostHeader.toLowerCase();
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  const allowed = names.map((n) => `${n}:${port}`);
  // Browsers leave out the default port, so on port 80 the bare name is what arrives.
  if (port === 80) allowed.push(...names);
  if (allowed.includes(host)) return OK;
  return { ok: false, reason: `Host ${JSON.stringify(hostHeader.slice(0, 100))} is not this helper; open http://127.0.0.1:${port}/` };
}

// Cross-site WebSocket hijacking: any page can open ws://127.0.0.1:P, but only pages from an
// allowlisted origin may. `required` is true for upgrades and POSTs; static GETs may come
// without an Origin (browsers omit it on navigation) but never with a foreign one.
export function checkOrigin(origin: string | undefined, allowlist: ReadonlySet<string>, opts: { required: boolean }): GuardResult {
  if (origin === undefined || origin === '') {
    return opts.required ? { ok: false, reason: 'the request has no Origin; only the OpenUTM app may connect' } : OK;
  }
  if (origin === 'null') return { ok: false, reason: 'an opaque (null) Origin may not connect' };
  if (allowlist.has(origin)) return OK;
  return {
    ok: false,
    reason: `Origin ${JSON.stringify(origin.slice(0, 200))} is not allowed; add it to OPENUTM_ORIGINS if it serves the OpenUTM app`,
  };
}

// One origin as the browser would send it: scheme://host[:port], lowercase host, no default
// port, no path. Throws CONFIG_INVALID naming the entry when it is not an http(s) origin.
export function normalizeOrigin(raw: string): string {
  const trimmed = raw.trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new OpenUtmError('CONFIG_INVALID', `${JSON.stringify(raw)} is not an origin; write it like https://example.github.io`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OpenUtmError('CONFIG_INVALID', `${JSON.stringify(raw)} is not an http(s) origin; write it like https://example.github.io`);
  }
  // An origin has no path, query, fragment or credentials; an entry with them is a mistake.
  if (url.pathname !== '/' || /[?#]/.test(trimmed) || url.username !== '' || url.password !== '') {
    throw new OpenUtmError('CONFIG_INVALID', `${JSON.stringify(raw)} is not a bare origin (it has a path, query or credentials); use ${url.origin}`);
  }
  // Plain http is readable and forgeable by anyone on the path; only loopback never leaves this
  // computer, so any other origin that may drive the helper must be https.
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new OpenUtmError(
      'CONFIG_INVALID',
      `${JSON.stringify(raw)} uses http:// for a host that is not this computer; use https://${url.host} (http:// is only for 127.0.0.1, localhost and [::1])`,
    );
  }
  // url.origin lowercases the host, drops a default port and spells IDNs as the browser sends them.
  return url.origin;
}

// The host names that never leave this computer, as URL.hostname spells them.
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

// OPENUTM_ORIGINS: comma-separated extra UI origins (the hosted app). Parsed once at startup;
// a bad entry stops the helper with a message rather than silently allowing less or more.
export function parseOriginList(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(normalizeOrigin);
}

// The exact set of origins that may talk to the helper on this port: its own two, plus extras.
export function allowedOrigins(port: number, extra: readonly string[]): ReadonlySet<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`, ...extra.map(normalizeOrigin)]);
}
