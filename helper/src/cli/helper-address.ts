import { OpenUtmError } from '@openutm/shared';

// DESIGN.md's default port; OPENUTM_PORT overrides it.
export const DEFAULT_PORT = 47320;

// The helper's port from OPENUTM_PORT, checked.
export function helperPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.OPENUTM_PORT?.trim();
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new OpenUtmError('CONFIG_INVALID', `OPENUTM_PORT=${raw} is not a port; use a whole number from 1 to 65535 (default ${DEFAULT_PORT})`);
  }
  return port;
}

// Where the helper's WebSocket API is; always loopback (DESIGN.md: listen on loopback only).
export function apiUrl(port: number): string {
  return `ws://127.0.0.1:${port}/api`;
}

// The page that opens the UI with a pairing code filled in.
export function pairUrl(port: number, code: string): string {
  return `http://127.0.0.1:${port}/pair?code=${encodeURIComponent(code)}`;
}

// The one-click link `openutm serve` prints and opens, and the tray's "Open OpenUTM": the code
// rides in the fragment, which browsers never send to a server nor put in a Referer, and the
// page trades it for a token by itself.
export function pairLinkUrl(port: number, code: string): string {
  return `http://127.0.0.1:${port}/pair#code=${encodeURIComponent(code)}`;
}
