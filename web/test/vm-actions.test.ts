import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';
import { testGuest } from '../../helper/test/support/test-guest';
import { waitForCount, waitForText } from '../../helper/test/support/wait';
import { screenshot } from './support/browser';
import * as screen from './support/console-screen';
import { uiSuite } from './support/ui-suite';

// The VM controls (issue 13, items 3–5) against the real helper and a real kernel test guest:
// visible names, disabled controls out of the Tab order with their reason beside them, Restart,
// Force stop that asks first, and a shut down that counts down to its forced stop.

const ui = uiSuite();
const NAME = 'Controls VM';
let vmId = '';

async function vm(): Promise<string> {
  if (vmId === '') vmId = await ui.helper.createKernelGuest(NAME);
  return vmId;
}

async function assertAccessible(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(bad, []);
}

// The page at 1280 and 400 px wide, light and dark, kept in test-results/web.
async function shootAll(page: Page, name: string): Promise<void> {
  for (const width of [1280, 400]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme });
      await screenshot(page, `${name}-${width}-${colorScheme}`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
}

const toolbar = (scope: Page | Locator) => scope.getByRole('toolbar', { name: `Actions for ${NAME}` });
const activeName = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? null);
const state = async () => (await (await ui.helper.api()).call('vm.get', { id: await vm() })).status;

async function openVmPage(page: Page): Promise<void> {
  await page.getByRole('link', { name: `Settings of ${NAME}` }).click();
  await page.waitForURL(`${ui.helper.origin}/vm?id=${await vm()}`);
  await page.getByRole('heading', { name: NAME, level: 1 }).waitFor();
}

// Starts the VM from the page's toolbar, from stopped whatever an earlier test left behind.
async function startAndWaitForShell(page: Page): Promise<void> {
  if ((await state()).state !== 'stopped') await (await ui.helper.api()).call('vm.kill', { id: await vm() });
  await toolbar(page).getByRole('button', { name: `Start ${NAME}`, exact: true }).click();
  await page.locator('[data-testid="state-badge"][data-state="running"]').first().waitFor({ timeout: 60_000 });
  await ui.helper.waitForGuestShell(await vm());
}

test('the controls have visible names; disabled ones are out of the Tab order and say why beside them', async () => {
  await vm();
  const { page } = await ui.pair();
  const card = page.getByRole('article', { name: NAME });
  const bar = toolbar(card);
  assert.deepEqual(await bar.getByRole('button').allInnerTexts(), ['Start', 'Pause', 'Restart', 'Force stop', 'Console'], 'each control shows its name');
  for (const label of ['Pause', 'Restart (reset)', 'Force stop', 'Console']) {
    assert.equal(await bar.getByRole('button', { name: `${label} ${NAME}`, exact: true }).isDisabled(), true, `${label} is disabled while stopped`);
  }
  const reason = card.getByTestId('vm-actions-reason');
  assert.equal(await reason.textContent(), 'Pause, Restart, Force stop and Console: the VM is stopped — start it first.');
  // Screen readers read the same reason with each disabled control.
  const describedBy = await bar.getByRole('button', { name: `Pause ${NAME}`, exact: true }).getAttribute('aria-describedby');
  assert.equal(await page.locator(`[id="${describedBy}"]`).textContent(), await reason.textContent());

  // Keyboard: from Start, Tab skips every disabled control and lands on Settings.
  await bar.getByRole('button', { name: `Start ${NAME}`, exact: true }).focus();
  await page.keyboard.press('Tab');
  assert.equal(await activeName(page), `Settings of ${NAME}`);
  await assertAccessible(page);
  await shootAll(page, 'vm-actions-1-card-stopped');

  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: NAME, level: 1 }).waitFor();
  const pageBar = toolbar(page);
  assert.deepEqual(await pageBar.getByRole('button').allInnerTexts(), ['Start', 'Pause', 'Restart', 'Force stop', 'Console']);
  assert.equal(await pageBar.getByRole('button', { name: `Restart (reset) ${NAME}`, exact: true }).isDisabled(), true);
  await assertAccessible(page);
  await shootAll(page, 'vm-actions-1-page-stopped');
  // Back to the library with the browser's Back: the card is there as it was.
  await page.goBack();
  await card.waitFor();
});

test('Restart resets the running guest, which boots again', async () => {
  const { page } = await ui.pair();
  await openVmPage(page);
  await startAndWaitForShell(page);
  const bar = toolbar(page);
  // Start was disabled while starting, yet focus stayed where it was pressed (it did not drop to
  // Force stop, the only control a starting VM allows): that place is now Shut down.
  assert.equal(await activeName(page), `Shut down ${NAME}`);
  assert.deepEqual(await bar.getByRole('button').allInnerTexts(), ['Shut down', 'Pause', 'Restart', 'Force stop', 'Console']);
  assert.equal(await page.getByTestId('vm-actions-reason').textContent(), '', 'nothing is disabled while running');
  await shootAll(page, 'vm-actions-2-page-running');
  await bar.getByRole('button', { name: `Restart (reset) ${NAME}`, exact: true }).click();
  // The ready marker is printed once per boot: a second one means the guest restarted.
  await waitForCount(ui.helper.serialLog(await vm()), testGuest().marker, 2, 180_000);
  assert.equal((await state()).state, 'running');
});

test('Force stop asks first: Escape cancels, Enter confirms, focus stays in the dialog and comes back', async () => {
  const { page } = await ui.pair();
  if ((await state()).state !== 'running') {
    await startAndWaitForShell(page);
  }
  const card = page.getByRole('article', { name: NAME });
  await shootAll(page, 'vm-actions-3-card-running');
  const forceStop = toolbar(card).getByRole('button', { name: `Force stop ${NAME}`, exact: true });
  await forceStop.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: `Force stop ${NAME}?` });
  await dialog.waitFor();
  assert.match((await dialog.textContent()) ?? '', /Unsaved work in the guest is lost/, 'it names what is lost');
  assert.equal(await activeName(page), 'Force stop', 'the confirm button has focus, so Enter confirms');
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.querySelector('dialog[open]')?.contains(document.activeElement) ?? false), true, `Tab ${i + 1} stays in the dialog`);
  }
  await assertAccessible(page);
  await shootAll(page, 'vm-actions-3-force-stop-dialog');

  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal((await state()).state, 'running', 'Escape cancelled: the VM runs on');
  assert.equal(await activeName(page), `Force stop ${NAME}`, 'focus is back on Force stop');

  await forceStop.click();
  await dialog.waitFor();
  await page.keyboard.press('Enter');
  await card.locator('[data-testid="state-badge"][data-state="stopped"]').waitFor({ timeout: 30_000 });
  assert.equal((await state()).lastShutdown, 'host-qmp-quit');
  // Force stop is disabled now; focus moved to the first control that still works.
  assert.equal(await activeName(page), `Start ${NAME}`);
});

test('shutting down counts down to the forced stop, and Force stop now ends it after asking', async () => {
  const { page } = await ui.pair();
  await startAndWaitForShell(page);
  const id = await vm();
  // A guest that ignores the power button: its acpid is ended from the console's keyboard.
  await page.goto(`${ui.helper.origin}/console?vm=${id}`);
  await screen.waitForScreenConnected(page);
  await screen.waitForGuestOnCanvas(page);
  await page.locator('[data-testid="console-screen"] canvas').focus();
  // Keys typed under load can be lost, and a live acpid would power the guest off at once: the
  // token is echoed only once pidof finds no acpid, and the kill is typed again until it is.
  const token = `acpid-gone-${randomBytes(3).toString('hex')}`;
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.type('killall acpid; sleep 1; pidof acpid ', { delay: 15 });
    await page.keyboard.press('Shift+Backslash');
    await page.keyboard.press('Shift+Backslash');
    await page.keyboard.type(' ', { delay: 15 });
    await screen.typeSerialEcho(page, token);
    const gone = await waitForText(ui.helper.serialLog(id), token, 30_000).then(() => true, () => false);
    if (gone) break;
    assert.ok(attempt < 3, 'acpid is still running in the guest after three kills');
  }

  await page.goto(`${ui.helper.origin}/vm?id=${id}`);
  const bar = toolbar(page);
  await bar.getByRole('button', { name: `Shut down ${NAME}`, exact: true }).click();
  const countdown = page.getByTestId('shut-down-countdown');
  await countdown.waitFor();
  const seconds = page.getByTestId('force-stop-seconds');
  const first = await seconds.textContent();
  assert.match(first ?? '', /^(1:00|[1-5]?\d s)$/, 'the default 60 s timeout, counting down');
  // It is live: the number goes down while the page is looked at.
  await page.waitForFunction((was) => document.querySelector('[data-testid="force-stop-seconds"]')?.textContent !== was, first);
  await assertAccessible(page);
  await shootAll(page, 'vm-actions-4-shutting-down');

  await countdown.getByRole('button', { name: 'Force stop now' }).click();
  const dialog = page.getByRole('dialog', { name: `Force stop ${NAME}?` });
  await dialog.getByRole('button', { name: 'Force stop' }).click();
  await page.locator('header [data-testid="state-badge"][data-state="stopped"]').waitFor({ timeout: 30_000 });
  assert.equal((await state()).lastShutdown, 'host-qmp-quit', 'forced, not powered off by the guest');
  await countdown.waitFor({ state: 'detached' });
});

test('shut down with the SPICE console open: the VM is stopped as soon as the guest has powered off', async () => {
  const { page, context } = await ui.pair();
  await startAndWaitForShell(page);
  const id = await vm();
  const consolePage = await context.newPage();
  await consolePage.goto(`${ui.helper.origin}/console?vm=${id}`);
  await screen.waitForScreenConnected(consolePage);
  await screen.waitForGuestOnCanvas(consolePage);

  await page.goto(`${ui.helper.origin}/vm?id=${id}`);
  const t0 = Date.now();
  await toolbar(page).getByRole('button', { name: `Shut down ${NAME}`, exact: true }).click();
  await page.locator('header [data-testid="state-badge"][data-state="stopped"]').waitFor({ timeout: 120_000 });
  console.log(`shut down with a console open: stopped ${Date.now() - t0} ms after the click`);
  assert.equal((await state()).lastShutdown, 'guest-shutdown', 'the guest powered itself off');
  await consolePage.getByTestId('console-overlay').getByText('The console disconnected').waitFor({ timeout: 30_000 });
});
