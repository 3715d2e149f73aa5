import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { screenshot } from './support/browser';
import { holdAnswers, layoutShift, recordLayoutShifts } from './support/held-answers';
import { uiSuite } from './support/ui-suite';

// Issue 13, item 9 (Lighthouse mobile, paired `/`): the library this browser was shown last time
// is painted as soon as the app runs, before the helper has answered (on a slow phone the
// WebSocket round trip was the largest paint's wait), dimmed and with its actions off; the
// helper's answer then takes over the same cards without moving anything. A browser that loses
// its token loses the remembered list with it. The helper's messages are held by the test, so
// the "before the answer" moment is there every run.

const ui = uiSuite();
const libraryKey = (origin: string) => `openutm.library.v1:${origin}`;
const remembered = (page: Page) => page.evaluate((key) => localStorage.getItem(key), libraryKey(ui.helper.origin));
const list = (page: Page) => page.getByRole('list', { name: 'Virtual machines' });

test('the last library is painted before the helper answers, dimmed and inert, then the live one takes its cards over in place', async () => {
  await ui.helper.createKernelGuest('Remembered');
  const { page } = await ui.pair();
  await page.getByRole('heading', { level: 2, name: 'Remembered' }).waitFor();
  await page.waitForFunction((key) => localStorage.getItem(key)?.includes('Remembered') === true, libraryKey(ui.helper.origin));

  await recordLayoutShifts(page);
  const held = await holdAnswers(page);
  const loaded = page.goto(`${ui.helper.origin}/`);
  await held.releaseScripts();
  await loaded;
  // The app runs, the helper has not answered: the remembered card stands in for the skeleton.
  assert.equal(await page.getByTestId('connection-pill').getAttribute('data-phase'), 'connecting');
  assert.equal(await list(page).getAttribute('data-stale'), 'true');
  assert.equal(await list(page).getAttribute('aria-busy'), 'true');
  assert.equal(await page.getByLabel('Loading the library').count(), 0, 'no skeleton');
  const card = page.getByTestId('vm-card').filter({ hasText: 'Remembered' });
  assert.ok(await card.isVisible());
  assert.equal(await card.getByRole('button', { name: /^Start/ }).isDisabled(), true, 'nothing runs on remembered data');
  await screenshot(page, 'remembered-library-stale');
  // Marked on the element: a card rendered anew would not carry it.
  await card.evaluate((el) => el.setAttribute('data-remembered', ''));

  held.releaseSocket();
  await page.locator('[data-testid="connection-pill"][data-phase="connected"]').waitFor({ state: 'attached' });
  await page.locator('ul[aria-label="Virtual machines"]:not([data-stale])').waitFor();
  assert.equal(await page.locator('[data-testid="vm-card"][data-remembered]').count(), 1, 'the live list kept the painted card');
  await card.getByRole('button', { name: /^Start/ }).and(page.locator(':enabled')).waitFor();
  assert.equal(await list(page).getAttribute('aria-busy'), null);
  const { total, shifted } = await layoutShift(page);
  assert.ok(total < 0.001, `nothing moved, yet: ${total}\n${shifted.join('\n')}`);
  await screenshot(page, 'remembered-library-live');
  await page.unrouteAll({ behavior: 'ignoreErrors' });
});

test('what changed while away is the live list; a revoked browser forgets the list with its token', async () => {
  const { page } = await ui.pair();
  await page.getByTestId('vm-card').first().waitFor();
  const gone = await ui.helper.createKernelGuest('Gone soon');
  await page.getByRole('heading', { level: 2, name: 'Gone soon' }).waitFor();
  await page.waitForFunction((key) => localStorage.getItem(key)?.includes('Gone soon') === true, libraryKey(ui.helper.origin));
  // Removed behind the page's back (the helper's own client), then the page comes back.
  await page.close();
  await (await ui.helper.api()).call('vm.delete', { id: gone, confirmName: 'Gone soon' });
  const again = await page.context().newPage();
  await again.goto(`${ui.helper.origin}/`);
  await again.locator('ul[aria-label="Virtual machines"]:not([data-stale])').waitFor();
  assert.equal(await again.getByRole('heading', { level: 2, name: 'Gone soon' }).count(), 0);
  await again.waitForFunction((key) => localStorage.getItem(key)?.includes('Gone soon') === false, libraryKey(ui.helper.origin));

  const { tokenId } = JSON.parse((await again.evaluate((o) => localStorage.getItem(`openutm.token.v1:${o}`), ui.helper.origin)) ?? '{}') as { tokenId: string };
  const revoked = ui.helper.cli(['tokens', 'revoke', tokenId]);
  assert.equal(revoked.status, 0, revoked.stderr);
  await again.locator('[data-testid="connection-pill"][data-phase="unpaired"]').waitFor({ state: 'attached' });
  assert.equal(await remembered(again), null, 'the list went with the token');
  await again.reload();
  await again.getByRole('heading', { name: 'Pair this browser to see your VMs' }).waitFor();
  assert.equal(await again.getByTestId('vm-card').count(), 0);
});
