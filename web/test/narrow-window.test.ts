import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { ConsoleErrors, screenshot } from './support/browser';
import { exportedRoutes } from './support/exported-routes';
import { sidewaysOverflow } from './support/layout';
import { uiSuite } from './support/ui-suite';

// Issue 13, item 6: at 400 px the top bar overflowed and every page scrolled sideways. Every
// exported page, paired and unpaired, against the real helper; the narrow menu by keyboard.

const ui = uiSuite();
const NARROW = { width: 400, height: 800 };

// Each page with a real VM behind it (a long name, a disk, a disc, a port forward), loaded and
// settled, then measured.
async function assertNoSidewaysScroll(page: Page, label: string, vmId: string, errors?: ConsoleErrors): Promise<string[]> {
  const bad: string[] = [];
  for (const route of exportedRoutes()) {
    const undo = route === '/no-such-page' && errors ? errors.allow(/status of 404 \(Not Found\).*no-such-page/) : () => undefined;
    await page.goto(`${ui.helper.origin}${route}?vm=${vmId}&id=${vmId}`);
    await page.waitForLoadState('networkidle');
    await page.locator('main h1').first().waitFor();
    const o = await sidewaysOverflow(page);
    if (o.scrollWidth > o.clientWidth) bad.push(`${label} ${route}: ${o.scrollWidth} > ${o.clientWidth} (${o.culprits.join('; ')})`);
    undo();
  }
  return bad;
}

test('no page scrolls sideways at 400 px, paired and unpaired', async () => {
  const id = await ui.helper.createKernelGuest('A virtual machine with a rather long name to wrap', {
    network: { mode: 'user', portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 18022, guestPort: 22 }] },
  });
  const { page, consoleErrors } = await ui.pair();
  await page.setViewportSize(NARROW);
  const bad = await assertNoSidewaysScroll(page, 'paired', id, consoleErrors);

  const context = await ui.browser.newContext({ viewport: NARROW, colorScheme: 'light' });
  try {
    const fresh = await context.newPage();
    const errors = new ConsoleErrors(fresh);
    bad.push(...(await assertNoSidewaysScroll(fresh, 'unpaired', id, errors)));
    await fresh.goto(`${ui.helper.origin}/`);
    await screenshot(fresh, 'narrow-unpaired-library-400-light');
    assert.deepEqual(errors.errors, [], 'the unpaired page logged errors');
  } finally {
    await context.close();
  }
  assert.deepEqual(bad, []);
});

test('the narrow menu: the sections and the connection state, by keyboard; Escape closes and gives focus back; Back works', async () => {
  const { page } = await ui.pair();
  const menu = page.getByRole('button', { name: 'Menu' });
  // Wide: the sections are in the bar and there is no menu.
  assert.equal(await menu.isVisible(), false);
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Preferences' }).isVisible(), true);

  await page.setViewportSize(NARROW);
  await menu.waitFor();
  assert.equal(await page.getByTestId('connection-pill').isVisible(), false, 'the bar\'s own status folds into the menu');
  await menu.focus();
  await page.keyboard.press('Enter');
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  const panelNav = page.getByRole('navigation', { name: 'Main' });
  await panelNav.getByRole('link', { name: 'Library' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Library', 'focus moves into the menu');
  await page.getByTestId('menu-connection').getByText('Connected').waitFor();
  await screenshot(page, 'narrow-menu-open-400-light');
  const { violations } = await new AxeBuilder({ page }).analyze();
  assert.deepEqual(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id), [], 'axe with the menu open');

  await page.keyboard.press('Escape');
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  assert.equal(await panelNav.isVisible(), false);
  assert.equal(await menu.evaluate((el) => el === document.activeElement), true, 'focus is back on the menu button');

  // Choose a section by keyboard: the page changes and the menu closes.
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Preferences');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${ui.helper.origin}/preferences`);
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  await page.goBack();
  await page.waitForURL(`${ui.helper.origin}/`);
  await menu.click();
  await panelNav.getByRole('link', { name: 'Library' }).waitFor();
  assert.equal(await panelNav.getByRole('link', { name: 'Library' }).getAttribute('aria-current'), 'page');
  // A click elsewhere closes it too.
  await page.mouse.click(200, 700);
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');

  await page.emulateMedia({ colorScheme: 'dark' });
  await menu.click();
  await screenshot(page, 'narrow-menu-open-400-dark');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'top-bar-1280-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, 'top-bar-1280-light');
});
