import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { waitForText } from '../../../helper/test/support/wait';

// What the console tests check on a page's screen pane, shared by the unix-socket and the
// loopback-TCP (Windows form) console tests.

// What a page's console sockets and log did, for the message of a screen check that fails (a
// rare failure under load is only understood from what it leaves in the CI log).
interface SocketRecord {
  what: string;
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  closed: boolean;
}
const SPICE_CHANNELS: Record<number, string> = { 1: 'main', 2: 'display', 3: 'inputs', 4: 'cursor', 5: 'playback', 6: 'record' };
const watched = new WeakMap<Page, { sockets: SocketRecord[]; log: string[]; helperLog: string[] }>();

// Starts recording `page`'s WebSockets and console lines; `helperLog` is the helper's output.
export function watchScreen(page: Page, helperLog: string[] = []): void {
  const record = { sockets: [] as SocketRecord[], log: [] as string[], helperLog };
  watched.set(page, record);
  page.on('console', (m) => record.log.push(`${m.type()}: ${m.text().slice(0, 300)}`));
  page.on('websocket', (ws) => {
    const url = new URL(ws.url());
    const r: SocketRecord = { what: `${url.pathname}${url.searchParams.get('channel') ? ` ${url.searchParams.get('channel')}` : ''}`, framesIn: 0, bytesIn: 0, framesOut: 0, closed: false };
    record.sockets.push(r);
    ws.on('framereceived', ({ payload }) => {
      r.framesIn += 1;
      r.bytesIn += payload.length;
    });
    ws.on('framesent', ({ payload }) => {
      // A SPICE channel's first frame is its link message: name the socket after its channel.
      if (r.framesOut === 0 && typeof payload !== 'string' && payload.length > 20 && payload.subarray(0, 4).toString('latin1') === 'REDQ') {
        r.what += ` (SPICE ${SPICE_CHANNELS[payload[20]!] ?? `channel ${payload[20]}`})`;
      }
      r.framesOut += 1;
    });
    ws.on('close', () => (r.closed = true));
  });
}

// What the page's console sockets, its log and the helper's log show (empty when not watched).
export async function screenDiagnostics(page: Page): Promise<string> {
  const record = watched.get(page);
  const status = await page
    .getByTestId('console-status')
    .innerText({ timeout: 1_000 })
    .catch(() => '(no status)');
  if (!record) return `status: ${status}`;
  const sockets = record.sockets.map((s) => `  ${s.what}: ${s.framesIn} frames / ${s.bytesIn} bytes in, ${s.framesOut} out${s.closed ? ', closed' : ''}`);
  return [`status: ${status}`, 'sockets:', ...sockets, 'page log:', ...record.log.slice(-15), 'helper log:', ...record.helperLog.slice(-25)].join('\n');
}

// Waits for the screen to connect; fails at once, with what the page says, if it drops instead.
// 'attached', not visible: a screen that never connected has no canvas and so no size.
export async function waitForScreenConnected(page: Page): Promise<void> {
  await page
    .locator('[data-testid="console-screen"]:is([data-phase="connected"], [data-phase="disconnected"])')
    .waitFor({ state: 'attached', timeout: 60_000 })
    .catch(async (e: Error) => assert.fail(`${e.message}\n${await screenDiagnostics(page)}`));
  if ((await page.getByTestId('console-screen').getAttribute('data-phase')) === 'disconnected') {
    assert.fail(`the screen did not connect: ${await page.getByTestId('console-overlay').innerText()}\n${await screenDiagnostics(page)}`);
  }
}

// How many pixels of the guest's canvas differ from its most common colour (the background):
// a blank or black screen has none, the guest's console text has thousands.
export function inkedPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="console-screen"] canvas');
    if (!canvas || canvas.width === 0 || canvas.height === 0) return 0;
    const ctx = canvas.getContext('2d');
    if (!ctx) return 0;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const counts = new Map<number, number>();
    for (let i = 0; i < data.length; i += 4) {
      const rgb = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
      counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
    }
    const background = Math.max(...counts.values());
    return data.length / 4 - background;
  });
}

// Waits (bounded) until the canvas shows the guest's console text.
export async function waitForGuestOnCanvas(page: Page, min = 2000): Promise<number> {
  let inked = 0;
  await page
    .waitForFunction(() => document.querySelector('[data-testid="console-screen"] canvas') !== null, null, { timeout: 60_000 })
    .catch(async (e: Error) => assert.fail(`no canvas: ${e.message}\n${await screenDiagnostics(page)}`));
  for (let i = 0; i < 300 && inked < min; i += 1) {
    inked = await inkedPixels(page);
    if (inked < min) await page.waitForTimeout(200);
  }
  if (inked < min) assert.fail(`the canvas does not show the guest's console (${inked} inked pixels)\n${await screenDiagnostics(page)}`);
  return inked;
}

// Types a shell command that writes a token to the serial port; only lowercase letters and
// digits in the token, because the viewers send physical keys (Shift is pressed explicitly).
export async function typeSerialEcho(page: Page, token: string): Promise<void> {
  await page.keyboard.type(`echo ${token} `, { delay: 15 });
  await page.keyboard.press('Shift+Period');
  await page.keyboard.type(' /dev/tty', { delay: 15 });
  await page.keyboard.press('Shift+KeyS');
  await page.keyboard.type('0', { delay: 15 });
  await page.keyboard.press('Enter');
}

// Waits for a token typed into the screen to reach the guest's serial log. When it does not,
// the failure says where the page's keyboard focus was and what its sockets sent (the inputs
// channel's frames out tell keys the page never sent from keys the guest never read).
export async function waitForTyped(page: Page, serialLog: string, token: string, timeoutMs = 60_000): Promise<string> {
  return waitForText(serialLog, token, timeoutMs).catch(async (e: Error) => {
    const focus = await page
      .evaluate(() => {
        const el = document.activeElement;
        return el ? `${el.tagName.toLowerCase()}${el.closest('[data-testid]') ? ` in ${el.closest('[data-testid]')?.getAttribute('data-testid')}` : ''}` : 'none';
      })
      .catch(() => '(page gone)');
    assert.fail(`${e.message}\nfocus: ${focus}\n${await screenDiagnostics(page)}`);
  });
}
