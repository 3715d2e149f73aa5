import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WEB_DIR } from './build-web';

// Debian's Chromium; OPENUTM_CHROMIUM points elsewhere. Nothing is ever downloaded.
export const CHROMIUM = process.env.OPENUTM_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(WEB_DIR, '../test-results/web');

// extraArgs: more Chromium switches a test file needs (a fake microphone, say).
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set OPENUTM_CHROMIUM`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

// Collects the page's console errors and uncaught exceptions. Expected ones (a refused
// WebSocket while the helper is down is the browser's own log line) are let through only
// between allow() and its undo.
export class ConsoleErrors {
  readonly errors: string[] = [];
  private allowed: RegExp[] = [];

  constructor(page: Page) {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      // "Failed to load resource" says which only in its location.
      const where = msg.location().url;
      const text = where !== '' && msg.text().startsWith('Failed to load resource') ? `${msg.text()} (${where})` : msg.text();
      if (!this.allowed.some((re) => re.test(text))) this.errors.push(`console: ${text}`);
    });
    page.on('pageerror', (e) => this.errors.push(`uncaught: ${e.message}`));
  }

  allow(re: RegExp): () => void {
    this.allowed.push(re);
    return () => {
      this.allowed = this.allowed.filter((r) => r !== re);
    };
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // Transitions finished, so a colour that just changed is shown as it ends up.
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}
