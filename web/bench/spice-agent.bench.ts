// `npm run bench` (SPICE agent): in real Chromium against the real helper and the agent guest
// (spice-vdagent under TCG), how long a 1 KiB text takes through the shared clipboard each way,
// beside the guest's serial echo round trip measured on the same guest in the same run; and how
// fast a dropped file goes into the guest, beside the same bytes pulled by the guest over its
// network with nc in the same run.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import WebSocket from 'ws';
import type { Page } from 'playwright-core';
import { fmtMs, median, report } from '../../helper/bench/stats';
import { launchChromium } from '../test/support/browser';
import { ensureWebBuilt } from '../test/support/build-web';
import { startAgentGuest } from '../test/support/agent-vm';
import { RealHelper } from '../test/support/real-helper';
import { pairThroughUi } from '../test/support/ui-session';
import { waitForScreenConnected } from '../test/support/console-screen';

const ROUNDS = Number(process.env.OPENUTM_BENCH_AGENT_ROUNDS ?? 5);
const FILE_MIB = Number(process.env.OPENUTM_BENCH_AGENT_FILE_MIB ?? 20);

// The serial shell over the helper's console socket, with what it prints, for timing commands.
class SerialShell {
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

async function agentBench(): Promise<void> {
  const helper = await RealHelper.start();
  const browser = await launchChromium();
  try {
    const id = await startAgentGuest(helper, 'Agent bench');
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: helper.origin });
    // When the page writes the clipboard (what the guest copied), noted for the clock.
    await context.addInitScript(`{
      const write = navigator.clipboard.writeText.bind(navigator.clipboard);
      window.benchWrites = [];
      navigator.clipboard.writeText = (t) => write(t).then(() => { window.benchWrites.push({ at: Date.now(), text: t }); });
    }`);
    const page = await context.newPage();
    await pairThroughUi(page, helper);
    await page.goto(`${helper.origin}/console?vm=${encodeURIComponent(id)}`);
    await waitForScreenConnected(page);
    await page.locator('[data-testid="console-clipboard"][data-shared="true"]').waitFor({ timeout: 120_000 });
    const shell = await SerialShell.open(helper, id);
    shell.send('export DISPLAY=:0; stty -echo');

    // Baseline: a line typed on the serial console and the guest's answer back.
    const echo: number[] = [];
    for (let i = 0; i < ROUNDS * 2; i++) {
      const n = 1000 + i;
      echo.push(await shell.timed(`echo $((${n}+1))-echo`, new RegExp(`\\b${n + 1}-echo`)));
    }

    // Guest to page: the copy is typed on the serial console; the clock stops when the page
    // has written the text to its clipboard.
    const toPage: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const text = randomBytes(512).toString('hex');
      const t0 = Date.now();
      shell.send(`printf %s ${text} | xclip -i -selection clipboard`);
      await page.waitForFunction((t) => (window as unknown as { benchWrites: Array<{ text: string }> }).benchWrites.some((w) => w.text === t), text, { timeout: 120_000, polling: 'raf' });
      const at = await page.evaluate((t) => (window as unknown as { benchWrites: Array<{ at: number; text: string }> }).benchWrites.find((w) => w.text === t)!.at, text);
      toPage.push(at - t0);
    }
    // What the copy itself costs the guest (xclip taking the selection), with no page involved.
    const xclipIn: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const tag = `in${i}x${randomBytes(2).toString('hex')}`;
      xclipIn.push(await shell.timed(`printf %s ${tag} | xclip -i -selection primary; echo ${tag}-$((1+1))`, new RegExp(`${tag}-2`)));
    }

    // Page to guest: the guest already polls its clipboard for the text when the page offers it
    // (Send clipboard); the clock stops at the guest's answer on the serial console.
    const toGuest: number[] = [];
    const xclipLocal: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const text = randomBytes(512).toString('hex');
      const tag = `got${i}x${randomBytes(2).toString('hex')}`;
      await page.evaluate((t) => navigator.clipboard.writeText(t), text);
      const seen = shell.until(new RegExp(`${tag}-ok`), 120_000);
      shell.send(`until [ "$(xclip -o -selection clipboard 2>/dev/null | head -c 16)" = ${text.slice(0, 16)} ]; do :; done; echo ${tag}-ok`);
      const t0 = performance.now();
      await page.getByRole('button', { name: 'Send clipboard' }).click();
      await seen;
      toGuest.push(performance.now() - t0);
      // What one xclip -o costs in this guest with the text already there (no agent involved
      // on the way: the agent answers from the page's copy, but the guest process is the same).
      xclipLocal.push(await shell.timed(`xclip -o -selection clipboard | head -c 4; echo -${tag}-local`, new RegExp(`-${tag}-local`)));
    }
    const serial = median(echo);
    report('clipboard guest → page, 1 KiB (median)', fmtMs(median(toPage)), `${fmtMs(serial)} echo`, `≤ 3× serial echo (${fmtMs(3 * serial)})`, median(toPage) <= 3 * serial);
    report('  one xclip -i in the guest (median)', fmtMs(median(xclipIn)), `${fmtMs(serial)} echo`, 'none (what a copy costs the guest)', null);
    report('clipboard page → guest, 1 KiB (median)', fmtMs(median(toGuest)), `${fmtMs(serial)} echo`, `≤ 3× serial echo (${fmtMs(3 * serial)})`, median(toGuest) <= 3 * serial);
    report('  one xclip -o in the guest (median)', fmtMs(median(xclipLocal)), `${fmtMs(serial)} echo`, 'none (what a paste costs the guest)', null);

    // A file into the guest: dropped on the console, until the guest says it is written.
    const size = FILE_MIB * 1024 * 1024;
    const dropMs = await dropAndTime(page, `bench-${randomBytes(3).toString('hex')}.bin`, size);
    // Baseline: the same size pulled by the guest from the host over QEMU's user network.
    const ncMs = await netcatPull(shell, size);
    const mibs = (ms: number) => `${(FILE_MIB / (ms / 1000)).toFixed(1)} MiB/s`;
    report(`file into the guest, ${FILE_MIB} MiB`, mibs(dropMs), `${mibs(ncMs)} nc`, '≥ 0.5× nc', ncMs / dropMs >= 0.5);
    shell.close();
    await context.close();
  } finally {
    await browser.close();
    await helper.stop();
  }
}

async function dropAndTime(page: Page, name: string, size: number): Promise<number> {
  return page.evaluate(
    async ({ name, size }) => {
      const bytes = new Uint8Array(size);
      crypto.getRandomValues(bytes.subarray(0, 65536));
      for (let at = 65536; at < size; at *= 2) bytes.copyWithin(at, 0, Math.min(at, size - at));
      const data = new DataTransfer();
      data.items.add(new File([bytes], name));
      const target = document.querySelector('[data-testid="console-viewport"]')!;
      const t0 = performance.now();
      for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
      // A polling loop, not a named callback: tsx would wrap a named function in a helper the page lacks.
      for (;;) {
        const row = [...document.querySelectorAll<HTMLElement>('[data-testid="file-transfer"]')].find((r) => r.textContent?.includes(name));
        if (row?.dataset.state === 'done') return performance.now() - t0;
        if (row && (row.dataset.state === 'failed' || row.dataset.state === 'cancelled')) throw new Error(row.textContent ?? 'failed');
        await new Promise((r) => requestAnimationFrame(r));
      }
    },
    { name, size },
  );
}

async function netcatPull(shell: SerialShell, size: number): Promise<number> {
  const payload = randomBytes(size);
  const want = createHash('sha256').update(payload).digest('hex');
  let started = 0;
  const server = net.createServer();
  const closed = new Promise<number>((resolve) => {
    server.once('connection', (sock) => {
      started = performance.now();
      sock.end(payload);
      sock.once('close', () => resolve(performance.now() - started));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const check = shell.until(/nc-sha=([0-9a-f]{64})/, 300_000);
    shell.send(`nc -d 10.0.2.2 ${port} >/tmp/nc.bin; echo nc-sha=$(sha256sum </tmp/nc.bin | cut -c1-64); rm -f /tmp/nc.bin`);
    const ms = await closed;
    const m = await check;
    if (m[1] !== want) throw new Error('nc: the guest got other bytes than were sent');
    return ms;
  } finally {
    server.close();
  }
}

// Last: the class above must exist before the bench runs (top-level await).
ensureWebBuilt();
await agentBench();
