import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { ConsoleErrors, screenshot } from './support/browser';
import { settle } from './support/held-answers';
import { pairThroughUi } from './support/ui-session';
import { uiSuite } from './support/ui-suite';

// Issue 13, item 9: the unpaired library's first screen is its "Pair this browser" message,
// painted from the static HTML before any of the app's scripts has arrived (on a slow phone,
// seconds before), and the app keeps that very element when it takes over. A browser holding
// a token sees the skeleton instead until the helper has answered. The scripts are held by
// the test, so what is checked is the static page itself, every run.

const ui = uiSuite();
const UNPAIRED_TITLE = 'Pair this browser to see your VMs';

// Opens the library with the app's scripts held back; `release` lets them through.
async function openWithScriptsHeld(page: Page): Promise<{ release: () => void }> {
  let go: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (go = resolve));
  await page.route(/\/_next\/static\/.*\.js(\?|$)/, async (route) => {
    await held;
    await route.continue();
  });
  void page.goto(`${ui.helper.origin}/`).catch(() => undefined);
  await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
  return { release: go };
}

for (const width of [400, 1280]) {
  test(`unpaired at ${width} px: the pairing message is on the first screen without scripts, and stays the same element`, async () => {
    const context = await ui.browser.newContext({ viewport: { width, height: 860 }, colorScheme: 'light' });
    const page = await context.newPage();
    const errors = new ConsoleErrors(page);
    try {
      const { release } = await openWithScriptsHeld(page);
      const title = page.getByRole('heading', { name: UNPAIRED_TITLE });
      assert.ok(await title.isVisible(), 'the message is painted from the static HTML');
      assert.equal(await page.getByLabel('Loading the library').isVisible(), false, 'no skeleton under it');
      assert.equal(await page.getByTestId('connection-pill').getAttribute('data-phase'), 'booting', 'the app has not run yet');
      const before = await title.boundingBox();
      await screenshot(page, `first-paint-unpaired-static-${width}`);
      // Marked on the element itself: a re-rendered heading would be a new element without it.
      await title.evaluate((el) => el.setAttribute('data-first-paint', ''));
      release();
      await page.locator('[data-testid="connection-pill"][data-phase="unpaired"]').waitFor({ state: 'attached' });
      await settle(page);
      assert.equal(await page.locator('h2[data-first-paint]').textContent(), UNPAIRED_TITLE, 'the app kept the painted heading');
      assert.ok(await title.isVisible());
      assert.deepEqual(await title.boundingBox(), before, 'and it did not move');
      assert.deepEqual(errors.errors, []);
    } finally {
      await context.close();
    }
  });
}

test('a browser with a token sees the skeleton first, not the pairing message', async () => {
  const context = await ui.browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
  const page = await context.newPage();
  // A token for another helper: the boot script cannot tell which helper the page talks to, so
  // any token means "wait for the helper client".
  await page.addInitScript(() => localStorage.setItem('openutm.token.v1:http://127.0.0.1:9', JSON.stringify({ token: 'x', tokenId: 'y' })));
  try {
    const { release } = await openWithScriptsHeld(page);
    assert.ok(await page.getByLabel('Loading the library').isVisible(), 'the skeleton is shown');
    assert.equal(await page.getByRole('heading', { name: UNPAIRED_TITLE }).isVisible(), false);
    release();
    // This helper has no token of this browser: the app says so once it has looked.
    await page.locator('[data-testid="connection-pill"][data-phase="unpaired"]').waitFor({ state: 'attached' });
    await page.getByRole('heading', { name: UNPAIRED_TITLE }).waitFor();
    assert.equal(await page.getByLabel('Loading the library').count(), 0, 'the skeleton is gone');
  } finally {
    await context.close();
  }
});

// Once the scripts run, the library it was shown last time stands in (remembered-library.test.ts).
test('a paired browser sees the skeleton in the static page, then its VMs', async () => {
  // No service worker: it would answer the scripts itself, past the test's hold.
  const context = await ui.browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light', serviceWorkers: 'block' });
  const page = await context.newPage();
  try {
    await pairThroughUi(page, ui.helper);
    const { release } = await openWithScriptsHeld(page);
    assert.ok(await page.getByLabel('Loading the library').isVisible());
    assert.equal(await page.getByRole('heading', { name: UNPAIRED_TITLE }).isVisible(), false);
    release();
    await page.locator('[data-testid="connection-pill"][data-phase="connected"]').waitFor({ state: 'attached' });
    await page.locator('[aria-label="Virtual machines"], [data-testid="library-empty"]').first().waitFor();
    assert.equal(await page.getByRole('heading', { name: UNPAIRED_TITLE }).count(), 0);
  } finally {
    await context.close();
  }
});
