import { HelperConnection, type ConnectionStatus } from './connection';
import { forgetToken, readSavedHelper, readToken, saveHelper } from './browser-storage';
import { apiSocketUrl, parseHelperOrigin, resolveHelperOrigin } from './helper-address';
import { connectionChanged } from '../stores/connection-store';

// What the page does with the helper's messages (api.ts decides; this file only carries them).
export interface RuntimeHooks {
  onEvent: (event: string, data: unknown) => void;
  // Each time a connection is welcomed: the first time and after every reconnect.
  onWelcome: () => void;
}

// The app's name and version as the helper's log and `openutm tokens` show them.
export const CLIENT = { name: 'OpenUTM web', version: process.env.NEXT_PUBLIC_OPENUTM_VERSION ?? '0.0.0' };

let connection: HelperConnection | null = null;
let helperOrigin = '';
let hooks: RuntimeHooks | null = null;

// The page's single connection; null before startRuntime (and during static rendering).
export function currentConnection(): HelperConnection | null {
  return connection;
}

export function currentHelperOrigin(): string {
  return helperOrigin;
}

// Reads where the helper is and starts the one connection for this page. Idempotent.
export function startRuntime(h: RuntimeHooks): void {
  if (connection !== null || typeof window === 'undefined') return;
  hooks = h;
  // `?helper=127.0.0.1:47400` (from a pairing link for the hosted app) becomes the preference.
  const fromUrl = new URLSearchParams(window.location.search).get('helper');
  const asked = fromUrl === null ? null : parseHelperOrigin(fromUrl);
  if (asked !== null) saveHelper(asked);
  connectTo(resolveHelperOrigin(window.location, readSavedHelper(), process.env.NEXT_PUBLIC_OPENUTM_HELPER));
  // Back online or back in front: no need to wait out the backoff.
  window.addEventListener('online', retrySoon);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') retrySoon();
  });
}

// Talks to another helper from now on (the pairing page's address field).
export function switchHelper(origin: string): void {
  if (origin === helperOrigin || hooks === null) return;
  saveHelper(origin);
  connection?.stop();
  connection = null;
  connectTo(origin);
}

// Connects again at once, e.g. with a token pairing just saved.
export function reconnectNow(): void {
  connection?.reconnectNow();
}

function retrySoon(): void {
  const phase = connection?.current.phase;
  if (phase === 'helper-offline' || phase === 'reconnecting') connection?.reconnectNow();
}

function connectTo(origin: string): void {
  const h = hooks!;
  helperOrigin = origin;
  let wasConnected = false;
  const onStatus = (status: ConnectionStatus) => {
    connectionChanged({ ...status, helperOrigin: origin, booting: false });
    const connected = status.phase === 'connected';
    if (connected && !wasConnected) h.onWelcome();
    wasConnected = connected;
  };
  const conn = new HelperConnection({
    url: apiSocketUrl(origin),
    token: () => readToken(origin)?.token ?? null,
    client: CLIENT,
    onStatus,
    onEvent: h.onEvent,
    onUnauthorized: () => forgetToken(origin),
  });
  connection = conn;
  connectionChanged({ ...conn.current, helperOrigin: origin, booting: false });
  conn.start();
}
