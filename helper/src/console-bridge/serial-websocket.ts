import type { RawData, WebSocket } from 'ws';
import { defaultLog, type ConsoleLog } from './console-log';
import type { SerialHub } from './serial-hub';
import { keepAlive } from './ws-keepalive';
import { CLOSE_CODE, toBuffer, truncateReason } from './ws-frames';
import { BRIDGE_DEFAULTS } from './ws-unix-bridge';

// Limits of one serial console WebSocket.
export const SERIAL_SOCKET_DEFAULTS = {
  // A console this far behind is cut (1013); it reconnects and gets the scrollback again. The
  // guest is never slowed down for one slow browser.
  maxQueued: 4 * 1024 * 1024,
} as const;

// Options of one serial console WebSocket; limits default to SERIAL_SOCKET_DEFAULTS.
export interface SerialSocketOptions {
  maxQueued?: number;
  pingIntervalMs?: number;
  log?: ConsoleLog;
  label?: string;
}

// Connects one browser (xterm.js) to a VM's serial hub. Wire format: the guest's raw bytes go
// out as binary frames (xterm.js decodes UTF-8 across frame boundaries), the first of them the
// scrollback (possibly empty); keystrokes come in as text or binary frames and reach the guest
// unchanged.
export function attachSerialWebSocket(ws: WebSocket, hub: SerialHub, opts: SerialSocketOptions = {}): void {
  const maxQueued = opts.maxQueued ?? SERIAL_SOCKET_DEFAULTS.maxQueued;
  const log = opts.log ?? defaultLog;
  const label = opts.label ?? 'serial console';
  const subscription = hub.subscribe({
    send: (chunk) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > maxQueued) {
        log(`${label}: the browser fell ${ws.bufferedAmount} bytes behind; closing it`);
        ws.close(CLOSE_CODE.tryAgainLater, 'the console fell behind the guest; reconnect to continue');
        return;
      }
      ws.send(chunk, { binary: true, compress: false });
    },
    close: (reason) => {
      if (ws.readyState === ws.OPEN) ws.close(CLOSE_CODE.goingAway, truncateReason(reason));
    },
  });
  const stopPings = keepAlive(ws, opts.pingIntervalMs ?? BRIDGE_DEFAULTS.pingIntervalMs, () =>
    log(`${label}: the browser did not answer a ping; closing`),
  );
  ws.on('message', (data: RawData) => subscription.write(toBuffer(data)));
  ws.on('error', (e: Error) => log(`${label}: WebSocket error: ${e.message}`));
  ws.on('close', () => {
    stopPings();
    subscription.unsubscribe();
  });
}
