import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { waitForText } from '../../helper/test/support/wait';
import { ConsoleErrors, launchChromium } from './support/browser';
import { ensureWebBuilt } from './support/build-web';
import { RealHelper } from './support/real-helper';
import { typeIntoGuest } from './support/guest-serial';
import * as screen from './support/console-screen';

// "Paste as keys…" in real Chromium against the real helper and the busybox guest under TCG:
// from the screen's toolbar the text is pressed as keys on the guest's keyboard (its tty1
// shell writes it to the serial port, where the test reads it back); characters the layout has
// no key for are named before anything is sent; from the serial tab it goes to the serial port.

let helper: RealHelper;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let consoleErrors: ConsoleErrors;
let vm: string;

before(async () => {
  ensureWebBuilt();
  helper = await RealHelper.start();
  browser = await launchChromium();
  vm = await helper.createKernelGuest('Tux keys', { network: { mode: 'none' } });
  await (await helper.api()).call('vm.start', { id: vm });
  await helper.waitForGuestShell(vm);
  // Keys reach tty1 only once its shell holds it open.
  await typeIntoGuest(helper, vm, 'until ls -l /proc/[0-9]*/fd/0 2>/dev/null | grep -q tty1; do sleep 0.2; done; echo tty1-$((40+2))-up');
  await waitForText(helper.serialLog(vm), 'tty1-42-up', 60_000);
});

after(async () => {
  await browser?.close();
  await helper?.stop();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  page = await context.newPage();
  consoleErrors = new ConsoleErrors(page);
  await page.goto(helper.pairing().url);
  await page.getByRole('button', { name: 'Pair', exact: true }).click();
  await page.waitForURL(`${helper.origin}/`);
  await page.goto(`${helper.origin}/console?vm=${encodeURIComponent(vm)}`);
  await screen.waitForScreenConnected(page);
});

afterEach(async () => {
  await context.close();
  assert.deepEqual(consoleErrors.errors, [], 'the page logged errors');
});

test('the toolbar types a text as keys on the guest keyboard; untypable characters are named first', async () => {
  await page.getByRole('button', { name: 'Paste as keys…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Paste as keys into Tux keys' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /English \(US\) layout/);
  const box = dialog.getByLabel('Text to type');
  assert.equal(await box.evaluate((el) => el === document.activeElement), true, 'the text box has the focus');

  await box.fill('café ☕');
  const untypable = dialog.getByTestId('paste-as-keys-untypable');
  await untypable.waitFor();
  assert.match(await untypable.innerText(), /no key for U\+00E9 'é', U\+2615 '☕'/);
  const typeIt = dialog.getByRole('button', { name: 'Type it' });
  assert.equal(await typeIt.getAttribute('aria-disabled'), 'true', 'nothing can be sent while characters have no key');
  // Forced, as a person clicking the dimmed button: still nothing is sent.
  await typeIt.click({ force: true });
  assert.equal(await dialog.isVisible(), true);

  const symbols = `!#%&*+,./:;<=>?@[\\]^_{|}~`;
  await box.fill(`echo "web-$((6*7))-typed" '${symbols}' >/dev/ttyS0\n`);
  assert.equal(await untypable.count(), 0);
  assert.equal(await typeIt.getAttribute('aria-disabled'), 'false');
  await typeIt.click();
  // The dialog closes when the helper has typed it all.
  await dialog.waitFor({ state: 'hidden', timeout: 60_000 });
  await waitForText(helper.serialLog(vm), `web-42-typed ${symbols}\r\n`, 60_000);
});

test('the serial tab pastes onto the serial port', async () => {
  await page.getByRole('tab', { name: 'Serial console' }).click();
  await page.locator('[data-testid="serial-status"][data-phase="connected"]').waitFor({ timeout: 60_000 });
  await page.getByRole('tabpanel', { name: 'Serial console' }).getByRole('button', { name: 'Paste as keys…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Paste as keys into Tux keys' }).last();
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Sent to the serial port/);
  await dialog.getByLabel('Text to type').fill('echo serial-$((6*7))-pasted\n');
  await dialog.getByRole('button', { name: 'Type it' }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 60_000 });
  await waitForText(helper.serialLog(vm), 'serial-42-pasted', 60_000);
});
