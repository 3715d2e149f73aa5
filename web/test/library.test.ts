import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ConsoleErrors, launchChromium, screenshot } from './support/browser';
import { ensureWebBuilt, OUT_DIR } from './support/build-web';
import { FIXTURE_CODE, FixtureHelper, fixtureVm } from './support/fixture-helper';
import { serveStatic } from './support/static-server';

// The built UI in real Chromium against a fixture helper: the page comes from one origin (as
// from the hosted app) and talks to the helper at another, named in the pairing link.

let site: Awaited<ReturnType<typeof serveStatic>>;
let helper: FixtureHelper;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let consoleErrors: ConsoleErrors;

const VMS = [
  fixtureVm('alpine0001', 'Alpine', 'linux-server', 'stopped', { cpus: 1, memoryMiB: 512 }, 2048),
  fixtureVm('debian0001', 'Debian Desktop', 'linux-desktop', 'running', { cpus: 4, memoryMiB: 4096 }, 32 * 1024),
  fixtureVm('win11a0001', 'Windows 11', 'windows-11', 'paused', { cpus: 4, memoryMiB: 8192 }, 80 * 1024),
];

before(async () => {
  ensureWebBuilt();
  site = await serveStatic(OUT_DIR);
  helper = new FixtureHelper({ origin: site.origin, vms: VMS });
  await helper.start();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await helper?.stop();
  await site?.close();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  page = await context.newPage();
  consoleErrors = new ConsoleErrors(page);
});

afterEach(async () => {
  await context.close();
  assert.deepEqual(consoleErrors.errors, [], 'the page logged errors');
});

// The link `openutm pair` would print for the hosted app: code plus helper address.
function pairingLink(): string {
  return `${site.origin}/pair?code=${FIXTURE_CODE}&helper=${helper.address}`;
}

async function pairThroughUi(): Promise<void> {
  await page.goto(pairingLink());
  await page.getByRole('button', { name: 'Pair', exact: true }).click();
  await page.waitForURL(`${site.origin}/`);
  await page.getByTestId('vm-card').first().waitFor();
}

function card(name: string) {
  return page.getByRole('article', { name });
}

test('an unpaired browser says so and points at pairing without knocking on the helper', async () => {
  const hellos = helper.hellos.length;
  await page.goto(`${site.origin}/?helper=${helper.address}`);
  const banner = page.getByTestId('connection-banner');
  await banner.getByText('This browser is not paired with the helper').waitFor();
  await page.getByRole('link', { name: 'Pair this browser' }).waitFor();
  assert.equal(helper.hellos.length, hellos, 'no hello without a token');
  await screenshot(page, '0-unpaired-library');
  await banner.getByRole('link', { name: 'Pair now' }).click();
  await page.waitForURL(`${site.origin}/pair`);
  assert.equal(await page.getByLabel('Helper address').inputValue(), helper.address);
});

test('pairs from scratch with the code in the link, then opens the library', async () => {
  await page.goto(pairingLink());
  const codeField = page.getByLabel('Pairing code');
  assert.equal(await codeField.inputValue(), FIXTURE_CODE);
  assert.equal(await page.getByLabel('Helper address').inputValue(), helper.address);
  await page.getByTestId('connection-pill').getByText('Not paired').waitFor();
  await screenshot(page, '1-pair-with-code');

  const pairingsBefore = helper.pairings.length;
  await page.getByRole('button', { name: 'Pair', exact: true }).click();
  await page.waitForURL(`${site.origin}/`);
  await page.getByTestId('connection-pill').getByText('Connected').waitFor();
  await card('Alpine').waitFor();

  assert.equal(helper.pairings.length, pairingsBefore + 1);
  assert.match(helper.pairings.at(-1)!.clientName, /^OpenUTM web \(Chrome on Linux\)$/);
  const hello = helper.hellos.at(-1)!;
  assert.equal(hello.client.name, 'OpenUTM web');
  assert.equal(hello.protocol, 1);
  await screenshot(page, '1-paired-library');
});

test('a wrong code is refused with a message that says what to do', async () => {
  // The helper answers a wrong code with 401, which Chromium logs by itself.
  consoleErrors.allow(/Failed to load resource: the server responded with a status of 401/);
  await page.goto(`${site.origin}/pair?helper=${helper.address}`);
  await page.getByLabel('Pairing code').fill('AAAA-BBBB');
  await page.getByRole('button', { name: 'Pair', exact: true }).click();
  await page.getByText(/run openutm pair for a new one/).waitFor();
  assert.equal(page.url().startsWith(`${site.origin}/pair`), true);
  await screenshot(page, '2-pair-wrong-code');
});

test('the library shows every VM with its state, size and gated actions; search filters', async () => {
  await pairThroughUi();
  assert.equal(await page.getByTestId('vm-card').count(), 3);

  const debian = card('Debian Desktop');
  assert.equal(await debian.getByTestId('state-badge').textContent(), 'Running');
  assert.match((await debian.textContent()) ?? '', /Linux \(desktop\) · x86_64/);
  assert.match((await debian.textContent()) ?? '', /4 CPUs · 4 GB memory · 32 GB disk/);
  // Gated by shared's canPerform: a running VM can pause and shut down, not start or resume.
  assert.equal(await debian.getByRole('button', { name: 'Start Debian Desktop' }).getAttribute('aria-disabled'), 'true');
  assert.equal(await debian.getByRole('button', { name: 'Pause Debian Desktop' }).getAttribute('aria-disabled'), 'false');
  assert.equal(await card('Windows 11').getByTestId('state-badge').textContent(), 'Paused');
  assert.equal(await card('Windows 11').getByRole('button', { name: 'Resume Windows 11' }).getAttribute('aria-disabled'), 'false');
  await screenshot(page, '3-library-light');

  const total = await page.getByTestId('vm-card').count();
  await page.getByLabel('Search virtual machines').fill('win');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="vm-card"]').length === 1);
  await card('Windows 11').waitFor();
  await page.getByLabel('Search virtual machines').fill('');
  // Every card is back before the keyboard walk starts (regression: Tab raced the re-render).
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="vm-card"]').length === n, total);

  // Keyboard: Tab reaches the search box and the card actions.
  await page.getByLabel('Search virtual machines').focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
  assert.equal(focused, 'Start Alpine');

  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, '3-library-dark');
});

test('Start sends vm.start; the answer and a pushed vm.state event change the badge in place', async () => {
  await pairThroughUi();
  const alpine = card('Alpine');
  const badge = alpine.getByTestId('state-badge');
  assert.equal(await badge.textContent(), 'Stopped');
  const before = await badge.boundingBox();

  await alpine.getByRole('button', { name: 'Start Alpine' }).click();
  await alpine.locator('[data-testid="state-badge"][data-state="starting"]').waitFor();
  const start = helper.requests.filter((r) => r.method === 'vm.start');
  assert.deepEqual(start.at(-1)?.params, { id: 'alpine0001' });

  helper.setState('alpine0001', 'running');
  await alpine.locator('[data-testid="state-badge"][data-state="running"]').waitFor();
  assert.equal(await badge.textContent(), 'Running');
  assert.deepEqual(await badge.boundingBox(), before, 'the badge kept its size and place');
  assert.equal(await alpine.getByRole('button', { name: 'Pause Alpine' }).getAttribute('aria-disabled'), 'false');
  await screenshot(page, '4-started');
  helper.setState('alpine0001', 'stopped', { lastShutdown: 'guest-shutdown' });
  await alpine.locator('[data-testid="state-badge"][data-state="stopped"]').waitFor();
});

test('a VM created elsewhere appears (vm.changed → vm.get); a removed one disappears', async () => {
  await pairThroughUi();
  helper.addVm(fixtureVm('fbsd000001', 'FreeBSD', 'freebsd', 'stopped', { cpus: 2, memoryMiB: 2048 }, 20 * 1024));
  await card('FreeBSD').waitFor();
  await screenshot(page, '5-vm-added');
  assert.deepEqual(helper.requests.filter((r) => r.method === 'vm.get').at(-1)?.params, { id: 'fbsd000001' });
  helper.removeVm('fbsd000001');
  await card('FreeBSD').waitFor({ state: 'detached' });
});

test('says the helper is offline when it stops, and reconnects by itself when it is back', async () => {
  await pairThroughUi();
  const hellosBefore = helper.hellos.length;
  const listsBefore = helper.requests.filter((r) => r.method === 'vm.list').length;
  // While the helper is down, Chromium itself logs each refused WebSocket as an error.
  const undo = consoleErrors.allow(new RegExp(`WebSocket connection to 'ws://127\\.0\\.0\\.1:${helper.port}/api' failed`));

  await helper.stop();
  const banner = page.getByTestId('connection-banner');
  await banner.getByText('The OpenUTM helper is not running').waitFor({ timeout: 10_000 });
  assert.match((await banner.textContent()) ?? '', /npm start.*openutm serve/);
  await page.getByTestId('connection-pill').getByText('Helper offline').waitFor();
  // The last known VMs stay visible, their actions off.
  assert.equal(await card('Alpine').getByRole('button', { name: 'Start Alpine' }).getAttribute('aria-disabled'), 'true');
  await screenshot(page, '6-helper-offline');

  await helper.start();
  await page.getByTestId('connection-pill').getByText('Connected').waitFor({ timeout: 15_000 });
  undo();
  assert.equal(await banner.textContent(), '');
  assert.equal(helper.hellos.length > hellosBefore, true, 'a new hello after the restart');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="vm-card"]').length === 3);
  assert.equal(helper.requests.filter((r) => r.method === 'vm.list').length > listsBefore, true, 'the library was re-read');
  await screenshot(page, '6-reconnected');
});
