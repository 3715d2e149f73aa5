import WebSocket from 'ws';
import type { RealHelper } from './real-helper';

// Types text into a running VM's serial console the way the UI's terminal does: a console
// ticket from console.open, then the keystrokes over /console/<id>?channel=serial.
export async function typeIntoGuest(helper: RealHelper, id: string, text: string): Promise<void> {
  const { ticket, path } = await (await helper.api()).call('console.open', { id, channel: 'serial' });
  const ws = new WebSocket(`ws://127.0.0.1:${helper.port}${path}?ticket=${encodeURIComponent(ticket)}&channel=serial`, { origin: helper.origin });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  // A line at a time: the guest's tty takes a line of up to 4095 characters. An empty line
  // first, so the shell's answer to its own cursor query cannot swallow the first characters.
  for (const line of ['', ...text.split('\n')]) {
    await new Promise<void>((resolve, reject) => ws.send(`${line}\n`, (e) => (e ? reject(e) : resolve())));
  }
  ws.close();
}
