import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { testGuest } from '../../helper/test/support/test-guest';
import { waitForPrompt, waitForText } from '../../helper/test/support/wait';
import { typeIntoGuest } from './support/guest-serial';
import { uiSuite } from './support/ui-suite';

// Issue 15: two snapshots taken from the VM page show in its timeline with thumbnails; restoring
// the first (after its confirmation) brings the guest's screen back as it was then.
const ui = uiSuite();

// The share of pixels that differ between two PNGs (base64), decoded by the page's own browser.
// Passed as text: tsx would wrap named functions in a helper the page does not have. No fetch of
// a data: URL either: the page's CSP refuses it.
const PIXEL_DIFFERENCE = `async ([x, y]) => {
  const decode = async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const ctx = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  };
  const [p, q] = await Promise.all([decode(x), decode(y)]);
  if (p.width !== q.width || p.height !== q.height) return 1;
  let differ = 0;
  for (let i = 0; i < p.data.length; i += 4) {
    if (Math.abs(p.data[i] - q.data[i]) + Math.abs(p.data[i + 1] - q.data[i + 1]) + Math.abs(p.data[i + 2] - q.data[i + 2]) > 48) differ += 1;
  }
  return differ / (p.width * p.height);
}`;

function pixelDifference(page: Page, a: string, b: string): Promise<number> {
  return page.evaluate(`(${PIXEL_DIFFERENCE})(${JSON.stringify([a, b])})`) as Promise<number>;
}

async function takeSnapshot(page: Page, name: string, notes: string): Promise<void> {
  await page.getByRole('button', { name: 'Take snapshot…' }).click();
  const dialog = page.getByTestId('take-snapshot');
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Notes').fill(notes);
  await dialog.getByRole('button', { name: 'Take snapshot' }).click();
  await page.locator(`[data-testid="snapshot-item"][data-snapshot="${name}"]`).waitFor({ timeout: 120_000 });
}

test('two snapshots from the VM page, both in the timeline with thumbnails; restoring the first brings its screen back', async () => {
  const guest = testGuest();
  const id = await ui.helper.createKernelGuest('Snapshot timeline', { disks: [{ sizeMiB: 32, format: 'qcow2' }] });
  const api = await ui.helper.api();
  await api.call('vm.start', { id });
  await waitForPrompt(ui.helper.serialLog(id), guest.marker, '# ', 180_000);
  const { page } = await ui.pair();
  await page.goto(`${ui.helper.origin}/vm?id=${id}`);
  const timeline = page.getByTestId('snapshot-timeline');
  await timeline.getByText('No snapshots yet.').waitFor();

  // The screen (tty1) full of one pattern for the first snapshot, blank for the second.
  await typeIntoGuest(ui.helper, id, "printf '\\033[2J\\033[H' > /dev/tty1; for i in $(seq 24); do echo 'FIRST-FIRST-FIRST-FIRST-FIRST-FIRST-FIRST-FIRST-FIRST-FIRST'; done > /dev/tty1; echo painted-$((1+1))");
  await waitForText(ui.helper.serialLog(id), 'painted-2', 60_000);
  await takeSnapshot(page, 'first', 'screen full of FIRST');
  await typeIntoGuest(ui.helper, id, "printf '\\033[2J\\033[H' > /dev/tty1; echo cleared-$((2+1))");
  await waitForText(ui.helper.serialLog(id), 'cleared-3', 60_000);
  await takeSnapshot(page, 'second', '');

  const items = timeline.getByTestId('snapshot-item');
  assert.deepEqual(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-snapshot'))), ['first', 'second'], 'oldest first');
  assert.equal(await timeline.getByTestId('snapshot-thumbnail').count(), 2, 'each has its thumbnail');
  const thumbs = await timeline.getByTestId('snapshot-thumbnail').evaluateAll((els) => els.map((e) => (e as HTMLImageElement).src.replace('data:image/png;base64,', '')));
  assert.ok((await pixelDifference(page, thumbs[0]!, thumbs[1]!)) > 0.02, 'the two thumbnails show different screens');
  // "Now" sits right after the second snapshot, the one the current state grew from.
  const order = await timeline.locator('ol > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-snapshot') ?? e.getAttribute('data-testid')));
  assert.deepEqual(order, ['first', 'second', 'snapshot-now']);

  await timeline.locator('[data-snapshot="first"]').getByRole('button', { name: 'Restore…' }).click();
  const confirm = page.getByTestId('snapshot-confirm');
  await confirm.waitFor();
  assert.match((await confirm.textContent()) ?? '', /is lost/, 'the confirmation says what will be lost');
  assert.match((await confirm.textContent()) ?? '', /since "second"/);
  await confirm.getByRole('button', { name: 'Restore' }).click();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="snapshot-timeline"] ol > li')].map((e) => e.getAttribute('data-snapshot') ?? e.getAttribute('data-testid')).join(',') === 'first,snapshot-now,second', undefined, { timeout: 120_000 });

  const now = (await api.call('vm.screenshot', { id })).png;
  const toFirst = await pixelDifference(page, now, thumbs[0]!);
  const toSecond = await pixelDifference(page, now, thumbs[1]!);
  assert.ok(toFirst < 0.01, `the screen is as it was at "first" (${(toFirst * 100).toFixed(2)}% of pixels differ)`);
  assert.ok(toSecond > 0.02, `and not as at "second" (${(toSecond * 100).toFixed(2)}% differ)`);
  await api.call('vm.kill', { id });
});
