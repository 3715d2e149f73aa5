import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { screenshot } from './support/browser';
import { uiSuite } from './support/ui-suite';

// Preferences against the real helper: paired clients listed and revoked through auth.*,
// the theme applied before the first paint and kept across reloads, telemetry off by default.

const ui = uiSuite();
let page: Page;

async function openPreferences(): Promise<void> {
  await page.getByRole('link', { name: 'Preferences' }).click();
  await page.waitForURL(`${ui.helper.origin}/preferences`);
  await page.getByRole('heading', { name: 'Preferences', level: 1 }).waitFor();
}

// The token id a paired page keeps for its helper.
function tokenIdOf(p: Page): Promise<string> {
  return p.evaluate((origin) => (JSON.parse(localStorage.getItem(`openutm.token.v1:${origin}`) ?? '{}') as { tokenId: string }).tokenId, ui.helper.origin);
}

test('lists the paired clients, marks this browser; another client is revoked only from this computer', async () => {
  const other = await ui.pair();
  const otherId = await tokenIdOf(other.page);
  assert.deepEqual(other.consoleErrors.errors, []);
  await other.context.close();

  page = (await ui.pair()).page;
  const ownId = await tokenIdOf(page);
  await openPreferences();
  assert.equal(await page.getByTestId('helper-address').textContent(), `127.0.0.1:${ui.helper.port}`);
  const own = page.locator(`[data-testid="paired-client"][data-token-id="${ownId}"]`);
  const theirs = page.locator(`[data-testid="paired-client"][data-token-id="${otherId}"]`);
  await own.getByText('this browser').waitFor();
  await theirs.waitFor();
  assert.equal(await theirs.getByText('this browser').count(), 0);
  await screenshot(page, 'preferences-1-clients');

  // A browser token may not revoke others (a stolen one must not lock the real user out): the
  // button is disabled and says where to do it; its own button works.
  const theirButton = theirs.getByRole('button', { name: /^Revoke/ });
  assert.equal(await theirButton.isDisabled(), true);
  assert.match((await theirs.getByTestId('revoke-reason').textContent()) ?? '', new RegExp(`openutm tokens revoke ${otherId}`));
  assert.equal(await own.getByRole('button', { name: /^Revoke/ }).isDisabled(), false);
  assert.equal(await own.getByTestId('revoke-reason').count(), 0);

  const cli = ui.helper.cli(['tokens', 'revoke', otherId]);
  assert.equal(cli.status, 0, cli.stderr);
  const listed = (await (await ui.helper.api()).call('auth.tokens', {})).map((t) => t.id);
  assert.equal(listed.includes(otherId), false, 'the helper no longer knows the revoked client');
  assert.equal(listed.includes(ownId), true);
  await page.reload();
  await own.waitFor();
  await theirs.waitFor({ state: 'detached' });
  await screenshot(page, 'preferences-2-revoked');
});

test('the theme applies before the first paint and persists; telemetry is off until chosen and nothing is sent', async () => {
  page = (await ui.pair('light')).page;
  const foreign: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.host !== `127.0.0.1:${ui.helper.port}`) foreign.push(r.url());
  });
  // Notes the html element's class at the moment <body> is parsed, before anything is painted.
  await page.addInitScript(() => {
    const w = window as unknown as { darkAtBody?: boolean };
    new MutationObserver((_, obs) => {
      if (document.body && w.darkAtBody === undefined) {
        w.darkAtBody = document.documentElement.classList.contains('dark');
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await openPreferences();
  // The static HTML cannot know this browser's choices: wait until the page has read them.
  const hydrated = () => page.locator('input[name="theme"]:checked, input[name="telemetry"]:enabled').first().waitFor();
  const isDark = () => page.evaluate(() => document.documentElement.classList.contains('dark'));
  const darkAtBody = () => page.evaluate(() => (window as unknown as { darkAtBody?: boolean }).darkAtBody);

  assert.equal(await page.getByLabel('Same as the system').isChecked(), true);
  assert.equal(await isDark(), false);
  await page.getByLabel('Dark', { exact: true }).check();
  assert.equal(await isDark(), true);
  await screenshot(page, 'preferences-3-dark');

  await page.reload();
  assert.equal(await darkAtBody(), true, 'dark before the first paint');
  await hydrated();
  assert.equal(await page.getByLabel('Dark', { exact: true }).isChecked(), true);

  // "System" follows the system's setting, live.
  await page.getByLabel('Same as the system').check();
  assert.equal(await isDark(), false);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction(() => document.documentElement.classList.contains('dark'));
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByLabel('Light', { exact: true }).check();
  await page.reload();
  assert.equal(await darkAtBody(), false);
  await hydrated();
  assert.equal(await page.getByLabel('Light', { exact: true }).isChecked(), true);

  const telemetry = page.getByLabel('Share anonymous usage statistics');
  assert.equal(await telemetry.isChecked(), false, 'off until the person opts in');
  await telemetry.check();
  await page.reload();
  await hydrated();
  assert.equal(await page.getByLabel('Share anonymous usage statistics').isChecked(), true);
  await screenshot(page, 'preferences-4-light');
  assert.deepEqual(foreign, [], 'nothing went anywhere but the helper');
});
