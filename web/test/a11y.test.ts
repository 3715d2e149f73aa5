import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { launchChromium, screenshot } from './support/browser';
import { ensureWebBuilt } from './support/build-web';
import { exportedRoutes } from './support/exported-routes';
import { RealHelper } from './support/real-helper';
import { openSession, pairThroughUi, type UiSession } from './support/ui-session';

// axe-core on every page of the static export, paired with a real helper that has one VM. The
// routes are read from web/out, so a page added later is checked without touching this file.

let helper: RealHelper;
let browser: Browser;
let session: UiSession;
let vmId: string;

before(async () => {
  ensureWebBuilt();
  helper = await RealHelper.start();
  vmId = await helper.createKernelGuest('Axe test VM');
  browser = await launchChromium();
  session = await openSession(browser);
  await pairThroughUi(session.page, helper);
});

after(async () => {
  await session?.context.close();
  await browser?.close();
  await helper?.stop();
});

const routes = exportedRoutes();

test('the export has the pages this test is meant to cover', () => {
  assert.ok(routes.includes('/') && routes.includes('/pair'), `routes found: ${routes.join(', ')}`);
});

for (const route of routes) {
  test(`no serious or critical axe violations on ${route} (light and dark)`, async () => {
    const { page, errors } = session;
    // Pages that take a VM read it from the query (?vm= for the console, ?id= for the detail).
    const url = `${helper.origin}${route}?vm=${vmId}&id=${vmId}`;
    const undo = route === '/no-such-page' ? errors.allow(/status of 404 \(Not Found\).*no-such-page/) : () => undefined;
    await page.goto(url);
    await page.getByTestId('connection-pill').getByText('Connected').waitFor();
    await page.waitForLoadState('networkidle');
    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
      for (const v of result.violations) {
        if (v.impact !== 'serious' && v.impact !== 'critical') continue;
        found.push(`${scheme}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await screenshot(page, `a11y${route.replaceAll('/', '-')}`);
    undo();
    assert.deepEqual(found, [], `axe on ${route}`);
    assert.deepEqual(errors.errors, [], 'the page logged errors');
  });
}
