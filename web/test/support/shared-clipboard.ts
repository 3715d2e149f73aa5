import { createHash } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ConsoleErrors } from './browser';
import * as screen from './console-screen';
import type { RealHelper } from './real-helper';

// A paired console page on one VM with the page's clipboard allowed, for the shared-clipboard
// tests (SPICE agent and VNC's vdagent): open it, read the page's clipboard until it holds what
// the guest copied, and send the page's clipboard to the guest.

export const sha256 = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');

export interface ClipboardConsole {
  context: BrowserContext;
  page: Page;
  consoleErrors: ConsoleErrors;
}

export interface ClipboardConsoleOptions {
  viewport?: { width: number; height: number };
  deviceScaleFactor?: number;
  // Granted by default; off to see the page without the permission.
  clipboard?: boolean;
}

// Opens the console and waits for the screen; the caller checks the toolbar's clipboard state.
export async function openClipboardConsole(browser: Browser, helper: RealHelper, vm: string, options: ClipboardConsoleOptions = {}): Promise<ClipboardConsole> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 }, deviceScaleFactor: options.deviceScaleFactor ?? 1, colorScheme: 'light' });
  if (options.clipboard !== false) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: helper.origin });
  const page = await context.newPage();
  const consoleErrors = new ConsoleErrors(page);
  screen.watchScreen(page, helper.log);
  // DEBUG_CONSOLE=1 prints the page's whole console.
  if (process.env.DEBUG_CONSOLE) page.on('console', (m) => console.log('PAGE', m.type(), m.text()));
  await page.goto(helper.pairing().url);
  await page.getByRole('button', { name: 'Pair', exact: true }).click();
  await page.waitForURL(`${helper.origin}/`);
  await page.goto(`${helper.origin}/console?vm=${encodeURIComponent(vm)}`);
  await screen.waitForScreenConnected(page);
  return { context, page, consoleErrors };
}

// Polls the page's clipboard until `accept` takes what it holds.
export async function pageClipboardUntil(page: Page, accept: (text: string) => boolean, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await page.evaluate(() => navigator.clipboard.readText());
    if (accept(text)) return text;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the page's clipboard never got there; it holds ${JSON.stringify(text.slice(0, 200))}${text.length > 200 ? ` (${text.length} characters)` : ''}`);
}

// Puts text in the page's clipboard and sends it with the toolbar's button; returns the sha256
// of what the guest's X clipboard holds once it matches `want`, or of what it had at the end.
export async function sendTextToGuest(page: Page, inGuest: (script: string, timeoutMs?: number) => Promise<string>, text: string, want = sha256(text)): Promise<string> {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.getByRole('button', { name: 'Send clipboard' }).click();
  return inGuest(`for i in $(seq 120); do v=$(timeout 20 xclip -o -selection clipboard 2>/dev/null | sha256sum | cut -c1-64); [ "$v" = ${want} ] && break; sleep 1; done`, 240_000);
}
