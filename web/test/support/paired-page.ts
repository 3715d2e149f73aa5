import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ConsoleErrors } from './browser';
import type { RealHelper } from './real-helper';

export interface PairedPage {
  context: BrowserContext;
  page: Page;
  consoleErrors: ConsoleErrors;
}

// A fresh browser profile paired with the real helper through the UI, as a person does it:
// open the link `openutm pair` prints, press Pair, land in the library, connected.
export async function pairedPage(browser: Browser, helper: RealHelper, colorScheme: 'light' | 'dark' = 'light'): Promise<PairedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
  const page = await context.newPage();
  const consoleErrors = new ConsoleErrors(page);
  await page.goto(helper.pairing().url);
  await page.getByRole('button', { name: 'Pair', exact: true }).click();
  await page.waitForURL(`${helper.origin}/`);
  await page.getByTestId('connection-pill').getByText('Connected').waitFor({ state: 'attached' });
  return { context, page, consoleErrors };
}
