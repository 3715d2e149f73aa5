import WebSocket from 'ws';
import type { RealHelper } from '../../test/support/real-helper';

// The serial shell over the helper's console socket, with what it prints, for timing commands.
export class SerialShell {
  private text = '';
  private waiters: Array<() => void> = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.text += data.toString();
      if (this.text.length > 1 << 20) this.text = this.text.slice(-(1 << 19));
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(helper: RealHelper, id: string): Promise<SerialShell> {
    const { ticket, path } = await (await helper.api()).call('console.open', { id, channel: 'serial' });
    const ws = new WebSocket(`ws://127.0.0.1:${helper.port}${path}?ticket=${encodeURIComponent(ticket)}&channel=serial`, { origin: helper.origin });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new SerialShell(ws);
  }

  send(line: string): void {
    this.ws.send(`${line}\n`);
  }

  // Resolves when the output shows this pattern after `from` (an offset taken before sending).
  async until(pattern: RegExp, timeoutMs = 120_000): Promise<RegExpExecArray> {
    const from = this.text.length;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.text.slice(from));
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`${pattern} not seen on the serial console; it shows:\n${this.text.slice(-1000)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 1000);
      });
    }
  }

  // Sends a line and waits for what it prints; the clock starts just before the send.
  async timed(line: string, pattern: RegExp): Promise<number> {
    const waiting = this.until(pattern);
    const t0 = performance.now();
    this.send(line);
    await waiting;
    return performance.now() - t0;
  }

  close(): void {
    this.ws.close();
  }
}
