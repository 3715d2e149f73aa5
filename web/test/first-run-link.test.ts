import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, screenshot } from './support/browser';
import { ensureWebBuilt } from './support/build-web';
import { RealHelper } from './support/real-helper';
import { openSession, type UiSession } from './support/ui-session';

// Section 7, first run in one click: the helper started as `npm start` starts it prints a
// one-time pairing link; opening it in a fresh browser lands in a paired library, and the same
// link opened again is refused with a sentence saying how to get a new one. --pair-link stands
// in for the terminal `npm start` runs in (a test's pipes are no TTY); --no-open because the
// test is the browser.

let helper: RealHelper;
let browser: Browser;
const sessions: UiSession[] = [];

before(async () => {
  ensureWebBuilt();
  helper = await RealHelper.start({ args: ['--pair-link', '--no-open'] });
  browser = await launchChromium();
});

after(async () => {
  for (const s of sessions) await s.context.close();
  await browser?.close();
  await helper?.stop();
});

// The link as the person sees it in the terminal.
function printedLink(): string {
  const line = helper.log.find((l) => l.startsWith('open OpenUTM: '));
  assert.ok(line, `the helper printed no pairing link:\n${helper.log.join('\n')}`);
  return line.slice('open OpenUTM: '.length).trim();
}

test('the link the helper prints opens a paired library, with no typing', async () => {
  const link = printedLink();
  assert.match(link, new RegExp(`^http://127\\.0\\.0\\.1:${helper.port}/pair#code=[A-Z0-9]{8}$`), 'the code rides in the fragment');
  const vmId = await helper.createKernelGuest('First VM');
  const before = (await (await helper.api()).call('auth.tokens', {})).length;

  const session = await openSession(browser);
  sessions.push(session);
  const { page } = session;
  await page.goto(link);
  await page.waitForURL(`${helper.origin}/`);
  await page.getByTestId('connection-pill').getByText('Connected').waitFor();
  // The library is the helper's: its VM is listed, which takes an authenticated vm.list.
  await page.getByRole('article', { name: 'First VM' }).waitFor();
  const tokens = await (await helper.api()).call('auth.tokens', {});
  assert.equal(tokens.length, before + 1, 'the browser is paired');
  assert.ok(await (await helper.api()).call('vm.get', { id: vmId }));
  assert.doesNotMatch(page.url(), /code=/, 'the one-time code does not stay in the address bar');
  await screenshot(page, 'first-run-1-paired');
  assert.deepEqual(session.errors.errors, []);
});

test('the same link opened again is refused, saying how to get a new one', async () => {
  const link = printedLink();
  const before = (await (await helper.api()).call('auth.tokens', {})).length;
  const session = await openSession(browser);
  sessions.push(session);
  const { page } = session;
  // The browser logs the helper's 401 for the used code; that refusal is the point here.
  session.errors.allow(/status of 401/);
  await page.goto(link);
  const refusal = page.getByTestId('used-link');
  await refusal.waitFor();
  const text = (await refusal.textContent()) ?? '';
  assert.match(text, /already been used or has expired/);
  assert.match(text, /openutm pair/);
  assert.match(text, /Pair a device/);
  assert.equal((await (await helper.api()).call('auth.tokens', {})).length, before, 'nothing was paired');
  await screenshot(page, 'first-run-2-used-link');
});
