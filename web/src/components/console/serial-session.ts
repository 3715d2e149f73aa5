import type { Terminal } from '@xterm/xterm';
import type { DisplayPhase } from './display-session';

// The serial console: xterm.js on the bridge's serial channel. The helper sends its scrollback
// first, then the guest's bytes live (binary frames); keystrokes go back as text.
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
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  ws.addEventListener('open', () => onPhase({ phase: 'connected' }));
  ws.addEventListener('message', (e: MessageEvent<ArrayBuffer | string>) => terminal.write(typeof e.data === 'string' ? e.data : new Uint8Array(e.data)));
  ws.addEventListener('close', (e) => {
    if (closed) return;
    closed = true;
    onPhase({ phase: 'disconnected', reason: e.reason || 'the serial console closed' });
  });
  const input = terminal.onData((data) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(data);
  });

  return {
    terminal,
    fit: () => fitAddon.fit(),
    close() {
      closed = true;
      input.dispose();
      ws.close();
      terminal.dispose();
    },
  };
}
