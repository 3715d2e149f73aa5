import assert from 'node:assert/strict';
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { readLocalCliToken } from '../../helper/src/auth/secrets-store';
import { launchChromium, screenshot } from './support/browser';
import { ensureWebBuilt, OUT_DIR } from './support/build-web';
import { RealHelper } from './support/real-helper';
import { serveStatic } from './support/static-server';
import { helperDownRefusals, openSession, pairThroughUi, socketRefusals, type UiSession } from './support/ui-session';

// The built UI in real Chromium against the real helper (the built bundle) and a real guest:
// served by the helper itself, and from a second origin the helper allows (the hosted app).

let helper: RealHelper;
let hosted: Awaited<ReturnType<typeof serveStatic>>;
let hostedDir: string;
let foreign: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
let session: UiSession | null = null;
let alphaId: string;

before(async () => {
  ensureWebBuilt();
  // The hosted app serves its own copy of the export, so a test can ship it a "new version".
  hostedDir = await mkdtemp(path.join(os.tmpdir(), 'openutm-hosted-'));
  await cp(OUT_DIR, hostedDir, { recursive: true });
  hosted = await serveStatic(hostedDir);
  foreign = await serveStatic(OUT_DIR);
  helper = await RealHelper.start({ origins: [hosted.origin] });
  alphaId = await helper.createKernelGuest('Alpha');
  await helper.createKernelGuest('Beta');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await helper?.stop();
  await hosted?.close();
  await foreign?.close();
  if (hostedDir) await rm(hostedDir, { recursive: true, force: true });
});

afterEach(async () => {
  const s = session;
  session = null;
  await s?.context.close();
  assert.deepEqual(s?.errors.errors ?? [], [], 'the page logged errors');
});

async function open(): Promise<Page> {
  session = await openSession(browser);
  return session.page;
}

function card(page: Page, name: string) {
  return page.getByRole('article', { name });
}

async function waitForState(page: Page, name: string, state: string, timeout = 120_000): Promise<void> {
  await card(page, name).locator(`[data-testid="state-badge"][data-state="${state}"]`).waitFor({ timeout });
}

// The share of the card's picture that differs from its most common colour: text on the guest's
// screen makes it non-zero, a blank frame leaves it at zero.
async function thumbnailInk(page: Page, name: string): Promise<number> {
  return card(page, name)
    .getByTestId('vm-thumbnail')
    .evaluate(async (img: HTMLImageElement) => {
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const counts = new Map<number, number>();
      for (let i = 0; i < data.length; i += 4) {
        const rgb = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
        counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
      }
      const pixels = data.length / 4;
      return 1 - Math.max(...counts.values()) / pixels;
    });
}

test('pairs from scratch with the link `openutm pair` prints, then lists every VM', async () => {
  const page = await open();
  const api = await helper.api();
  const tokensBefore = (await api.call('auth.tokens', {})).length;
  await page.goto(helper.origin);
  await page.getByTestId('connection-banner').getByText('This browser is not paired with the helper').waitFor();
  await screenshot(page, 'library-0-unpaired');

  const { code, url } = helper.pairing();
  await page.goto(url);
  assert.equal((await page.getByLabel('Pairing code').inputValue()).replace('-', ''), code.replace('-', ''));
  await screenshot(page, 'library-1-pair-with-code');
  await page.getByRole('button', { name: 'Pair', exact: true }).click();
  await page.waitForURL(`${helper.origin}/`);
  await page.getByTestId('connection-pill').getByText('Connected').waitFor();
  await card(page, 'Alpha').waitFor();
  await card(page, 'Beta').waitFor();
  assert.equal((await api.call('auth.tokens', {})).length, tokensBefore + 1, 'the helper lists one more paired client');
  await screenshot(page, 'library-1-paired');
});

test('start, pause, resume, force stop and shut down from the card; the picture shows the guest', async () => {
  const page = await open();
  await pairThroughUi(page, helper);
  const alpha = card(page, 'Alpha');
  const badge = alpha.getByTestId('state-badge');
  await waitForState(page, 'Alpha', 'stopped');
  const box = await alpha.boundingBox();

  await alpha.getByRole('button', { name: 'Start Alpha' }).click();
  await waitForState(page, 'Alpha', 'running');
  await helper.waitForGuestShell(alphaId);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="vm-thumbnail"]') !== null,
    undefined,
    { timeout: 30_000 },
  );
  // The screen is renewed every few seconds while the VM runs: wait for one with the guest on it.
  let ink = 0;
  for (let i = 0; i < 30 && ink < 0.001; i++) {
    ink = await thumbnailInk(page, 'Alpha');
    if (ink < 0.001) await page.waitForTimeout(1_000);
  }
  assert.ok(ink >= 0.001, `the thumbnail shows the guest's screen (${(ink * 100).toFixed(2)} % inked)`);
  assert.deepEqual(await alpha.boundingBox(), box, 'the card kept its size when the picture arrived');
  await screenshot(page, 'library-2-running');

  await alpha.getByRole('button', { name: 'Pause Alpha' }).click();
  await waitForState(page, 'Alpha', 'paused');
  assert.equal(await badge.textContent(), 'Paused');
  await screenshot(page, 'library-2-paused');
  await alpha.getByRole('button', { name: 'Resume Alpha' }).click();
  await waitForState(page, 'Alpha', 'running');
  assert.equal((await (await helper.api()).call('vm.get', { id: alphaId })).status.state, 'running');

  await alpha.getByRole('button', { name: 'Force stop Alpha' }).click();
  await page.getByRole('dialog', { name: 'Force stop Alpha?' }).getByRole('button', { name: 'Force stop' }).click();
  await waitForState(page, 'Alpha', 'stopped');
  await alpha.getByTestId('vm-thumbnail').waitFor({ state: 'detached' });

  // Shut down: the ACPI power button, which the test guest answers by powering off.
  await alpha.getByRole('button', { name: 'Start Alpha' }).click();
  await waitForState(page, 'Alpha', 'running');
  await helper.waitForGuestShell(alphaId);
  await alpha.getByRole('button', { name: 'Shut down Alpha' }).click();
  await waitForState(page, 'Alpha', 'stopped');
  const after = await (await helper.api()).call('vm.get', { id: alphaId });
  assert.equal(after.status.state, 'stopped');
  await screenshot(page, 'library-2-shut-down');
});

test('search filters by name; `/` jumps to the search box', async () => {
  const page = await open();
  await pairThroughUi(page, helper);
  await card(page, 'Beta').waitFor();
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'search');
  await page.keyboard.type('bet');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="vm-card"]').length === 1);
  await card(page, 'Beta').waitFor();
  await screenshot(page, 'library-3-search');
  await page.getByLabel('Search virtual machines').fill('');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="vm-card"]').length === 2);
  // The console action is there for every card, off while the VM has no screen.
  assert.equal(await card(page, 'Alpha').getByRole('button', { name: 'Console Alpha' }).isDisabled(), true);
});

test('a page from an origin the helper does not allow cannot drive it, even holding a token', async () => {
  const page = await open();
  const api = await helper.api();
  const tokensBefore = (await api.call('auth.tokens', {})).length;
  const stateBefore = (await api.call('vm.get', { id: alphaId })).status;
  const { code } = helper.pairing();
  // The refusals are the browser's own log lines in that page.
  session!.errors.allow(/WebSocket connection to .* failed|CORS|Failed to load resource|net::ERR_FAILED/);
  await page.goto(`${foreign.origin}/404.html`);
  const outcome = await page.evaluate(
    async ({ port, token, code, id }) => {
      const socket = await new Promise<{ opened: boolean; messages: string[]; closeCode: number }>((resolve) => {
        const messages: string[] = [];
        let opened = false;
        const ws = new WebSocket(`ws://127.0.0.1:${port}/api`);
        ws.onopen = () => {
          opened = true;
          ws.send(JSON.stringify({ type: 'hello', token, protocol: 1, client: { name: 'intruder', version: '1' } }));
          ws.send(JSON.stringify({ id: 1, method: 'vm.start', params: { id } }));
        };
        ws.onmessage = (e) => messages.push(String(e.data));
        ws.onclose = (e) => resolve({ opened, messages, closeCode: e.code });
      });
      const pair = await fetch(`http://127.0.0.1:${port}/api/pair`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code, clientName: 'intruder' }),
      }).then(
        (r) => `status ${r.status}`,
        (e: unknown) => `refused: ${String(e)}`,
      );
      return { socket, pair };
    },
    { port: helper.port, token: readLocalCliToken(helper.home), code, id: alphaId },
  );
  assert.equal(outcome.socket.opened, false, 'the WebSocket upgrade was refused');
  assert.deepEqual(outcome.socket.messages, []);
  assert.match(outcome.pair, /^refused|^status 403/, `pairing from the foreign page: ${outcome.pair}`);
  assert.deepEqual((await api.call('vm.get', { id: alphaId })).status, stateBefore, 'the VM was not touched');
  assert.equal((await api.call('auth.tokens', {})).length, tokensBefore, 'no client was paired');
  await screenshot(page, 'library-4-foreign-origin');
});

test('served from another origin in OPENUTM_ORIGINS, the UI pairs and drives the helper', async () => {
  const page = await open();
  await pairThroughUi(page, helper, hosted.origin);
  await card(page, 'Beta').waitFor();
  assert.equal(new URL(page.url()).origin, hosted.origin);
  await card(page, 'Beta').getByRole('button', { name: 'Start Beta' }).click();
  await waitForState(page, 'Beta', 'running');
  await card(page, 'Beta').getByRole('button', { name: 'Force stop Beta' }).click();
  await page.getByRole('dialog', { name: 'Force stop Beta?' }).getByRole('button', { name: 'Force stop' }).click();
  await waitForState(page, 'Beta', 'stopped');
  await screenshot(page, 'library-5-hosted-origin');
});

test('says the helper is not running when it stops, and reconnects by itself when it is back', async () => {
  const page = await open();
  await pairThroughUi(page, helper);
  await card(page, 'Alpha').waitFor();
  session!.errors.allow(helperDownRefusals(helper));
  await helper.stopProcess({ killVms: false });
  const banner = page.getByTestId('connection-banner');
  await banner.getByText('Helper not running').waitFor({ timeout: 15_000 });
  assert.match((await banner.textContent()) ?? '', /start it with openutm serve/);
  await page.getByTestId('connection-pill').getByText('Helper offline').waitFor();
  assert.equal(await card(page, 'Alpha').getByRole('button', { name: 'Start Alpha' }).isDisabled(), true);
  await screenshot(page, 'library-6-helper-offline');

  await helper.restart();
  await page.getByTestId('connection-pill').getByText('Connected').waitFor({ timeout: 30_000 });
  // It says so, then the notice goes away by itself.
  await banner.getByText('Reconnected.').waitFor();
  await screenshot(page, 'library-6-reconnected-notice');
  await page.waitForFunction(() => document.querySelector('[data-testid="connection-banner"]')?.textContent === '', undefined, { timeout: 15_000 });
  assert.equal(await card(page, 'Alpha').getByRole('button', { name: 'Start Alpha' }).isDisabled(), false);
  await screenshot(page, 'library-6-reconnected');
});

test('opens offline from the service worker: the shell and "helper not running" appear', async () => {
  const page = await open();
  await pairThroughUi(page, helper);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
  session!.errors.allow(socketRefusals(helper));
  await helper.stopProcess({ killVms: false });
  await page.reload();
  await page.getByRole('link', { name: 'OpenUTM' }).waitFor();
  await page.getByTestId('connection-banner').getByText('Helper not running').waitFor({ timeout: 15_000 });
  await page.getByRole('heading', { name: /Library/ }).waitFor();
  await screenshot(page, 'library-7-offline-from-service-worker');
  await helper.restart();
  await page.getByTestId('connection-pill').getByText('Connected').waitFor({ timeout: 30_000 });
});

test('a new UI version (a changed sw.js) brings the "Reload" prompt, and Reload switches to it', async () => {
  const page = await open();
  await pairThroughUi(page, helper, hosted.origin);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
  const prompt = page.getByTestId('update-prompt');
  assert.equal(await prompt.textContent(), '');
  await appendFile(path.join(hostedDir, 'sw.js'), `\n// a new build, ${Date.now()}\n`);
  await page.reload();
  await prompt.getByText('A new version of OpenUTM is ready').waitFor({ timeout: 30_000 });
  await screenshot(page, 'library-8-update-prompt');
  await Promise.all([page.waitForEvent('load', { timeout: 30_000 }), prompt.getByRole('button', { name: 'Reload' }).click()]);
  await page.getByTestId('connection-pill').getByText('Connected').waitFor();
  assert.equal(await prompt.textContent(), '');
  assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null), null);
});
