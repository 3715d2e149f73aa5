import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { ConsoleErrors, screenshot } from './support/browser';
import { uiSuite } from './support/ui-suite';

// Issue 13, items 10 and 11, as a new user meets them: the empty library, the unpaired library
// (one way to pair, New VM off with its reason), and the pairing page's code and error texts.

const ui = uiSuite();
const CODE_SHAPE = /^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/;

async function fresh(width: number, colorScheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; errors: ConsoleErrors; done: () => Promise<void> }> {
  const context = await ui.browser.newContext({ viewport: { width, height: 860 }, colorScheme });
  const page = await context.newPage();
  const errors = new ConsoleErrors(page);
  return {
    page,
    errors,
    done: async () => {
      await context.close();
      assert.deepEqual(errors.errors, [], 'the page logged errors');
    },
  };
}

for (const width of [1280, 400]) {
  test(`unpaired library at ${width} px: one way to pair, New VM switched off with its reason and out of the Tab order`, async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { page, done } = await fresh(width, scheme);
      await page.goto(`${ui.helper.origin}/`);
      await page.locator('[data-testid="connection-pill"][data-phase="unpaired"]').waitFor({ state: 'attached' });
      await page.getByRole('heading', { name: 'Pair this browser to see your VMs' }).waitFor();
      // Header, banner and library together lead to the pairing page once.
      assert.equal(await page.locator('a[href="/pair"]').count(), 1, 'exactly one pairing entry point');
      const newVm = page.getByTestId('new-vm');
      assert.equal(await newVm.getAttribute('aria-disabled'), 'true');
      assert.equal(await newVm.getAttribute('href'), null, 'a switched-off New VM leads nowhere');
      const description = await newVm.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '');
      assert.match(description, /once this browser is paired/);
      assert.ok(await page.getByText(description).isVisible(), 'the reason is on screen');
      await screenshot(page, `pairing-texts-library-unpaired-${width}-${scheme}`);
      // Tab through the page: focus never lands on New VM.
      const focused: string[] = [];
      for (let i = 0; i < 15; i++) {
        await page.keyboard.press('Tab');
        focused.push(await page.evaluate(() => `${document.activeElement?.getAttribute('data-testid') ?? ''}|${document.activeElement?.textContent?.trim() ?? ''}`));
      }
      assert.ok(!focused.some((f) => f.startsWith('new-vm')), `New VM took focus: ${focused.join(', ')}`);
      assert.ok(focused.some((f) => f.endsWith('|Pair this browser')), `the pairing button is reachable by Tab: ${focused.join(', ')}`);
      await done();
    }
  });

  test(`pairing page at ${width} px: the code looks like a real one, errors show commands as code without backticks`, async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { page, errors, done } = await fresh(width, scheme);
      // The wrong code below is refused: the browser logs the 401 itself.
      errors.allow(/status of 401 .*\/api\/pair\)$/);
      // The link `openutm pair` prints carries the code as eight bare symbols.
      const { url } = ui.helper.pairing();
      await page.goto(url);
      const field = page.getByLabel('Pairing code');
      assert.match((await field.getAttribute('placeholder')) ?? '', CODE_SHAPE, 'the example has the shape of a real code');
      assert.match(await field.inputValue(), CODE_SHAPE, 'a code from a link is shown as the terminal shows it');
      await field.fill('ABCD-EFGH');
      await page.getByRole('button', { name: 'Pair', exact: true }).click();
      const status = page.getByRole('status').filter({ hasText: 'wrong, used or expired' });
      await status.waitFor();
      const text = (await status.textContent()) ?? '';
      assert.ok(!text.includes('`'), `no literal backticks: ${text}`);
      assert.equal(await status.locator('code', { hasText: 'openutm pair' }).count(), 1, 'the command is shown as code');
      await screenshot(page, `pairing-texts-pair-error-${width}-${scheme}`);
      await done();
    }
  });

  test(`empty library at ${width} px: points at New VM, and its text fits the card`, async () => {
    const paired = await ui.pair();
    const { page } = paired;
    await page.setViewportSize({ width, height: 860 });
    const empty = page.getByTestId('library-empty');
    await empty.waitFor();
    const text = (await empty.textContent()) ?? '';
    assert.doesNotMatch(text, /being built/);
    assert.match(text, /New VM/);
    const overflow = await empty.evaluate((card) => [card, ...card.querySelectorAll('*')].filter((el) => el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0).length);
    assert.equal(overflow, 0, 'nothing in the card is wider than the card');
    assert.equal(await page.getByTestId('new-vm').getAttribute('href'), '/new');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `pairing-texts-library-empty-${width}-${scheme}`);
    }
  });
}
