import type { Terminal } from '@xterm/xterm';
import type { DisplayPhase } from './display-session';
import { isTerminalReport } from './terminal-reports';
import { tearDownViewer } from './viewer-teardown';

// The serial console: xterm.js on the bridge's serial channel. The helper's first frame is its
// scrollback (possibly empty), then the guest's bytes follow live (binary frames); keystrokes go
// back as text.
export interface SerialSession {
  terminal: Terminal;
  fit(): void;
  close(): void;
}

export async function openSerialSession(host: HTMLElement, url: string, onPhase: (p: DisplayPhase) => void): Promise<SerialSession> {
  const [{ Terminal }, { FitAddon }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')]);
  const terminal = new Terminal({
    convertEol: false,
    cursorBlink: true,
    scrollback: 10_000,
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    fontSize: 14,
    screenReaderMode: false,
  });
  const fitAddon = new FitAddon();
  terminal.loadAddon(fitAddon);
  terminal.open(host);
  fitAddon.fit();

  let closed = false;
  let disposed = false;
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  ws.addEventListener('open', () => onPhase({ phase: 'connected' }));
  // The scrollback still holds the guest's old terminal queries (a shell asks for the cursor
  // position at every prompt). Answering them while it is drawn would type the answers into
  // whatever runs in the guest now, so replies made while the replay is parsed are dropped.
  let frames = 0;
  let replaying = false;
  ws.addEventListener('message', (e: MessageEvent<ArrayBuffer | string>) => {
    const data = typeof e.data === 'string' ? e.data : new Uint8Array(e.data);
    if (frames++ > 0) return terminal.write(data);
    replaying = true;
    terminal.write(data, () => {
      replaying = false;
    });
  });
  ws.addEventListener('close', (e) => {
    if (closed) return;
    closed = true;
    onPhase({ phase: 'disconnected', reason: e.reason || 'the serial console closed' });
  });
  const input = terminal.onData((data) => {
    if (replaying && isTerminalReport(data)) return;
    if (ws.readyState === WebSocket.OPEN) ws.send(data);
  });

  return {
    terminal,
    fit: () => fitAddon.fit(),
    close() {
      if (disposed) return;
      disposed = true;
      closed = true;
      tearDownViewer('serial console', [() => input.dispose(), () => ws.close(), () => terminal.dispose()]);
    },
  };
}
