import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ConsoleErrors } from './browser';
import type { RealHelper } from './real-helper';

// One browser profile (its own storage and service worker) with one page, watched for errors.
export interface UiSession {
  context: BrowserContext;
  page: Page;
  errors: ConsoleErrors;
}

export async function openSession(browser: Browser): Promise<UiSession> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  return { context, page, errors: new ConsoleErrors(page) };
}

// Pairs the page from scratch as a person does: `openutm pair` prints a link, they open it and
// press Pair. `site` is the UI's origin when it is not the helper's own (the hosted app); the
// link then also names the helper.
export async function pairThroughUi(page: Page, helper: RealHelper, site?: string): Promise<void> {
  const { code, url } = helper.pairing();
  const link = site === undefined ? url : `${site}/pair?code=${code}&helper=127.0.0.1:${helper.port}`;
  await page.goto(link);
  await page.getByRole('button', { name: 'Pair', exact: true }).click();
  await page.waitForURL(`${site ?? helper.origin}/`);
  // Attached, not visible: below 640 px the pill is folded into the menu.
  await page.getByTestId('connection-pill').getByText('Connected').waitFor({ state: 'attached' });
}

// Chromium logs each refused WebSocket itself while the helper is down.
export function socketRefusals(helper: RealHelper): RegExp {
  return new RegExp(`WebSocket connection to 'ws://127\\.0\\.0\\.1:${helper.port}/api' failed`);
}

// Everything a page asks of a stopped helper: its socket, and pages or route data it fetches
// (a link prefetch) before the service worker has taken the page over; refused once the helper
// is gone, reset when it was in flight as the helper stopped.
export function helperDownRefusals(helper: RealHelper): RegExp {
  return new RegExp(`${socketRefusals(helper).source}|net::ERR_CONNECTION_(REFUSED|RESET) \\(http://127\\.0\\.0\\.1:${helper.port}/`);
}
