import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { vmFolder } from '../../helper/src/vm-library/library-paths';
import { screenshot } from './support/browser';
import { uiSuite } from './support/ui-suite';

// Try mode in the UI against the real helper: "Start as a try" on the VM page runs the VM on
// throwaway overlays; once it stops, the VM page and its library card ask "Keep or discard the
// changes from your try"; Discard (after asking) and Keep both end the try, and the helper's
// VM folder holds no try file afterwards.

const ui = uiSuite();

async function openVm(id: string, name: string): Promise<Page> {
  const { page } = await ui.pair();
  await page.getByRole('link', { name: `Settings of ${name}` }).click();
  await page.waitForURL(`${ui.helper.origin}/vm?id=${id}`);
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  return page;
}

async function tryFiles(id: string): Promise<string[]> {
  return (await readdir(vmFolder(ui.helper.home, id))).filter((f) => f.startsWith('try'));
}

// Starts a try from the page, then forces the VM off (the guest need not boot for this).
async function tryThenStop(page: Page, id: string): Promise<void> {
  await page.getByRole('button', { name: 'Start as a try' }).click();
  await page.getByTestId('try-active').waitFor({ timeout: 60_000 });
  // Running (Shut down offered), so the start has finished: a kill mid-start would fail it.
  await page.getByRole('button', { name: 'Shut down Try VM' }).waitFor({ timeout: 60_000 });
  const api = await ui.helper.api();
  assert.equal((await api.call('vm.get', { id })).status.tryMode, 'active');
  assert.deepEqual((await tryFiles(id)).sort(), ['try-disk0.qcow2', 'try.json']);
  await api.call('vm.kill', { id });
}

test('a try ends with the choice on the VM page and the library card; Discard asks first, Keep needs no question', async () => {
  const id = await ui.helper.createKernelGuest('Try VM', { disks: [{ sizeMiB: 8, format: 'qcow2' }] });
  const page = await openVm(id, 'Try VM');
  await tryThenStop(page, id);

  const prompt = page.getByRole('region', { name: 'Try of Try VM' });
  await prompt.getByText('Keep or discard the changes from your try').waitFor();
  assert.equal(await prompt.locator('p[role="status"]').textContent(), '', 'the try started without a complaint');
  await screenshot(page, 'try-mode-1-pending');
  // Starting normally is refused while the choice waits, with what to do.
  await page.getByRole('button', { name: 'Start Try VM' }).click();
  await page.getByText(/keep them or discard them first/).waitFor();

  // The library card offers the same two buttons.
  await page.getByRole('link', { name: '← Library' }).click();
  const card = page.locator('[data-testid="vm-card"]', { has: page.getByRole('heading', { name: 'Try VM' }) });
  await card.getByText('Keep or discard the changes from your try').waitFor();
  assert.equal(await card.getByRole('button', { name: 'Keep changes' }).isEnabled(), true);
  assert.equal(await card.getByRole('button', { name: 'Discard changes' }).isEnabled(), true);
  await screenshot(page, 'try-mode-2-card');

  await card.getByRole('button', { name: 'Discard changes' }).click();
  const dialog = page.getByRole('dialog', { name: 'Discard the changes from your try?' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await (await ui.helper.api()).call('vm.get', { id })).status.tryMode, 'pending', 'Cancel discards nothing');
  await card.getByRole('button', { name: 'Discard changes' }).click();
  await dialog.getByRole('button', { name: 'Discard changes' }).click();
  await card.getByTestId('try-pending').waitFor({ state: 'detached' });
  assert.equal((await (await ui.helper.api()).call('vm.get', { id })).status.tryMode, null);
  assert.deepEqual(await tryFiles(id), []);

  // Keep, from the VM page this time.
  await card.getByRole('link', { name: 'Settings of Try VM' }).click();
  await page.getByRole('heading', { name: 'Try VM', level: 1 }).waitFor();
  await tryThenStop(page, id);
  await prompt.getByRole('button', { name: 'Keep changes' }).click();
  await prompt.waitFor({ state: 'detached' });
  assert.equal((await (await ui.helper.api()).call('vm.get', { id })).status.tryMode, null);
  assert.deepEqual(await tryFiles(id), []);
  await page.getByRole('button', { name: 'Start as a try' }).waitFor();
  await screenshot(page, 'try-mode-3-kept');
});
