import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { testGuest } from '../../helper/test/support/test-guest';
import { screenshot } from './support/browser';
import { clippedSelects, visibleInWindow } from './support/layout';
import { uiSuite } from './support/ui-suite';

// Issue 13, items 7, 14 and 17, against the real helper and the real test guest: the VM page
// opens with a summary in words, its settings sit in sections with a sidebar, "Save changes"
// stays in view while there is something to save, a locked section says why, and the serial
// log shows what the terminal showed rather than its escape sequences.

const ui = uiSuite();
const NARROW = { width: 400, height: 800 };
// Names from the config that a person should never have to read on the summary.
const INTERNAL = /\bauto\b|virtio-net-pci|virtio-vga|\bspice\b|\bqxl|\btcg\b|\bkvm\b|\bMB\b|\bGB\b/;

async function openVm(name: string, id: string, scheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const { page } = await ui.pair(scheme);
  await page.getByRole('link', { name: `Settings of ${name}` }).click();
  await page.waitForURL(`${ui.helper.origin}/vm?id=${id}`);
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  return page;
}

const toBottom = (page: Page) => page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));

async function assertAccessible(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(bad, []);
}

test('the save bar stays in view while there are unsaved changes, at 1280 and 400 px, and saves from there', async () => {
  const id = await ui.helper.createKernelGuest('Save bar VM');
  const page = await openVm('Save bar VM', id);
  const save = page.getByRole('button', { name: 'Save changes' });
  assert.equal(await save.count(), 0, 'nothing to save, no save bar');

  await page.getByLabel('CPUs', { exact: true }).fill('2');
  await toBottom(page);
  assert.equal(await visibleInWindow(save), true, 'at 1280 px, scrolled to the end of the page');
  await screenshot(page, 'vm-page-save-bar-1280-light');

  await page.setViewportSize(NARROW);
  await toBottom(page);
  assert.equal(await visibleInWindow(save), true, 'at 400 px, scrolled to the end of the page');
  await page.evaluate(() => window.scrollTo(0, 0));
  assert.equal(await visibleInWindow(save), true, 'at 400 px, at the top of the page');
  await screenshot(page, 'vm-page-save-bar-400-light');

  // The sidebar folds into a disclosure on a narrow window; its links jump to the section.
  await page.getByText('Go to a section').click();
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Network' }).click();
  await page.waitForURL(/#network$/);
  assert.equal(await page.locator('a[href="#network"]').first().getAttribute('aria-current'), 'location', 'the sidebar marks the section');
  assert.equal(await visibleInWindow(page.getByLabel('Network card', { exact: true })), true, 'the section is in view');
  assert.equal(await visibleInWindow(save), true);

  await save.click();
  await page.getByTestId('settings-status').getByText('Saved.').waitFor();
  assert.equal((await (await ui.helper.api()).call('vm.get', { id })).config.system.cpus, 2);
  // Nothing left to save: the bar goes once it has said so.
  await page.getByTestId('save-bar').waitFor({ state: 'detached', timeout: 20_000 });
});

test('the summary says what the VM is in words and one unit system; option lists use the same words', async () => {
  const id = await ui.helper.createKernelGuest('Summary VM', { display: { type: 'spice', device: 'virtio-vga' } });
  const page = await openVm('Summary VM', id);
  const summary = page.getByRole('region', { name: 'Summary' });
  const facts = (await summary.locator('dl').innerText()).replace(/\s+/g, ' ');
  for (const words of ['256 MiB', 'Shared (NAT), VirtIO', 'SPICE, VirtIO graphics', 'Automatic', 'Linux (server)']) {
    assert.ok(facts.includes(words), `"${words}" in the summary: ${facts}`);
  }
  assert.doesNotMatch(facts, INTERNAL);
  await summary.getByRole('button', { name: 'Start Summary VM' }).waitFor();

  const selected = await page.getByLabel('Accelerator', { exact: true }).evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent);
  assert.equal(selected, 'Automatic (hardware, else emulated)');
  for (const label of ['Accelerator', 'Network card', 'Graphics card', 'Machine', 'Sound card']) {
    const raw = await page.getByLabel(label, { exact: true }).evaluate((el: HTMLSelectElement) => Array.from(el.options).filter((o) => o.text === o.value).map((o) => o.value));
    assert.deepEqual(raw, [], `${label}: options shown by their internal names`);
  }

  await screenshot(page, 'vm-page-1280-light');
  await assertAccessible(page);
  assert.deepEqual(await clippedSelects(page), [], 'option words cut off at 1280 px');
  await page.setViewportSize(NARROW);
  assert.deepEqual(await clippedSelects(page), [], 'option words cut off at 400 px');
  await screenshot(page, 'vm-page-400-light');
  await assertAccessible(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'vm-page-400-dark');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'vm-page-1280-dark');
  await assertAccessible(page);
});

test('while running: each locked section says why at its fields, and the serial log has no raw terminal escapes', async () => {
  const id = await ui.helper.createKernelGuest('Escapes VM');
  await (await ui.helper.api()).call('vm.start', { id });
  await ui.helper.waitForGuestShell(id);
  // busybox's shell asks the terminal where its cursor is (ESC [6n) at each prompt: the raw log
  // has escapes, so the page has something to clean.
  const deadline = Date.now() + 60_000;
  while (!readFileSync(ui.helper.serialLog(id), 'utf8').includes('\u001b')) {
    assert.ok(Date.now() < deadline, 'the guest wrote no escape sequence to its serial port');
    await new Promise((r) => setTimeout(r, 500));
  }

  const page = await openVm('Escapes VM', id);
  await page.locator('header [data-testid="state-badge"][data-state="running"]').waitFor();
  const systemLock = page.locator('#system [data-testid="section-locked"]');
  assert.match((await systemLock.textContent()) ?? '', /shut it down first/);
  assert.equal(await page.locator('#general [data-testid="section-locked"]').count(), 0, 'name and notes can change while it runs');
  assert.equal(await page.getByLabel('CPUs', { exact: true }).isDisabled(), true);

  await page.getByRole('button', { name: 'Refresh log' }).click();
  const serial = page.getByTestId('serial-log');
  await serial.getByText(testGuest().marker).first().waitFor();
  const shown = (await serial.textContent()) ?? '';
  assert.equal(shown.includes('\u001b'), false, 'no ESC character in the serial log');
  assert.equal(shown.includes('\u241b'), false, 'no ␛ symbol in the serial log');
  assert.doesNotMatch(shown, /\[\d+(;\d+)*[a-zA-Z]/, 'no leftover of a control sequence');
  await page.locator('#log').scrollIntoViewIfNeeded();
  await screenshot(page, 'vm-page-running-log-1280-light');
  await (await ui.helper.api()).call('vm.kill', { id });
});
