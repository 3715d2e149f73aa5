import { AxeBuilder } from '@axe-core/playwright';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page, WebSocket } from 'playwright-core';
import { screenshot } from './support/browser';
import * as screen from './support/console-screen';
import { uiSuite } from './support/ui-suite';

// Leaving a live console by client-side navigation, as a person does: the top bar's link,
// "← Library", the browser's Back. Each way, for the SPICE screen, the VNC screen and the serial
// terminal, must land on the next page with no page error (spice-html5's teardown once looked
// up its DOM after React had removed it: "Cannot read properties of null (reading
// 'removeChild')", and Next showed "This page couldn't load") and close every console socket.
// And the page itself: it fits the window without scrolling, and the screen's focus ring shows
// all round (on the scaled canvas it was clipped to two sides).

const ui = uiSuite();

// The two running guests the tests leave consoles of, booted once (inside the first test: the
// suite's helper starts in its own before hook).
let guests: Promise<{ spice: string; vnc: string }> | undefined;
function runningGuests(): Promise<{ spice: string; vnc: string }> {
  guests ??= (async () => {
    const api = await ui.helper.api();
    const spice = await ui.helper.createKernelGuest('Leave SPICE');
    const vnc = await ui.helper.createKernelGuest('Leave VNC', { display: { type: 'vnc' } });
    await api.call('vm.start', { id: spice });
    await api.call('vm.start', { id: vnc });
    await ui.helper.waitForGuestShell(spice);
    await ui.helper.waitForGuestShell(vnc);
    return { spice, vnc };
  })();
  return guests;
}

// The console sockets (not the API's) the page has open.
function trackConsoleSockets(page: Page): Set<WebSocket> {
  const open = new Set<WebSocket>();
  page.on('websocket', (ws) => {
    if (!new URL(ws.url()).pathname.startsWith('/console/')) return;
    open.add(ws);
    ws.on('close', () => open.delete(ws));
  });
  return open;
}

type Way = 'top-bar link' | '← Library' | 'browser Back';
const WAYS: Way[] = ['top-bar link', '← Library', 'browser Back'];

// Leaves the console page one way and waits for the page it leads to.
async function leave(page: Page, way: Way, origin: string): Promise<void> {
  if (way === 'top-bar link') {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Preferences' }).click();
    await page.waitForURL(`${origin}/preferences`);
    await page.getByRole('heading', { name: 'Preferences', level: 1 }).waitFor();
    return;
  }
  if (way === '← Library') await page.getByRole('link', { name: '← Library' }).click();
  else await page.goBack();
  await page.waitForURL(`${origin}/`);
  await page.locator('#library-title').waitFor();
}

// Opens the console from the library card (client-side, as a person does) and waits until it
// shows the guest: the display, or the serial tab with the guest's shell in it.
async function enter(page: Page, name: string, id: string, origin: string, pane: 'display' | 'serial'): Promise<void> {
  if (new URL(page.url()).pathname !== '/') {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Library' }).click();
  }
  await page.getByRole('button', { name: `Console ${name}` }).click();
  await page.waitForURL(`${origin}/console?vm=${id}`);
  await screen.waitForScreenConnected(page);
  await screen.waitForGuestOnCanvas(page);
  if (pane === 'serial') {
    await page.getByRole('tab', { name: 'Serial console' }).click();
    await page.locator('[data-testid="serial-status"][data-phase="connected"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="serial-terminal"] .xterm-rows').getByText(/\S/).first().waitFor();
  }
}

async function leaveEveryWay(name: string, kind: 'spice' | 'vnc', pane: 'display' | 'serial', protocol: 'spice' | 'vnc'): Promise<void> {
  const id = (await runningGuests())[kind];
  const { page, consoleErrors } = await ui.pair();
  screen.watchScreen(page, ui.helper.log);
  const sockets = trackConsoleSockets(page);
  const origin = ui.helper.origin;
  for (const way of WAYS) {
    await enter(page, name, id, origin, pane);
    assert.equal(await page.getByTestId('console-screen').getAttribute('data-protocol'), protocol);
    assert.ok(sockets.size > 0, 'the console has its sockets open');
    await leave(page, way, origin).catch(async (e: Error) => {
      const broken = await page.getByText("This page couldn't load").count();
      assert.fail(`leaving the ${protocol} ${pane} by ${way} did not reach the next page${broken ? " (it shows “This page couldn't load”)" : ''}: ${e.message}\npage errors: ${consoleErrors.errors.join('\n') || 'none'}`);
    });
    // Every console socket closes once the page has torn the console down.
    for (let i = 0; i < 100 && sockets.size > 0; i += 1) await page.waitForTimeout(100);
    assert.equal(sockets.size, 0, `leaving by ${way} left console sockets open`);
    assert.equal(await page.getByText("This page couldn't load").count(), 0, `leaving by ${way} broke the page`);
    assert.deepEqual(consoleErrors.errors, [], `leaving the ${protocol} ${pane} by ${way} logged errors`);
  }
}

test('leaving a SPICE screen by the top bar, "← Library" or Back lands on the next page without a page error', async () => {
  await leaveEveryWay('Leave SPICE', 'spice', 'display', 'spice');
});

test('leaving a VNC screen by the top bar, "← Library" or Back lands on the next page without a page error', async () => {
  await leaveEveryWay('Leave VNC', 'vnc', 'display', 'vnc');
});

test('leaving the serial console by the top bar, "← Library" or Back lands on the next page without a page error', async () => {
  await leaveEveryWay('Leave SPICE', 'spice', 'serial', 'spice');
});

// Which share of each edge of the box, as drawn on screen, is the focus ring's blue (sky-500):
// read from a real screenshot, decoded in the page.
async function ringOnEdges(page: Page, selector: string): Promise<Record<'top' | 'bottom' | 'left' | 'right', number>> {
  const box = await page.locator(selector).boundingBox();
  assert.ok(box, `${selector} is on the page`);
  const clip = { x: Math.ceil(box.x), y: Math.ceil(box.y), width: Math.floor(box.width) - 1, height: Math.floor(box.height) - 1 };
  const png = await page.screenshot({ clip, animations: 'disabled' });
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = new OffscreenCanvas(img.width, img.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const { data, width, height } = ctx.getImageData(0, 0, img.width, img.height);
    const edges = { top: 0, bottom: 0, left: 0, right: 0 };
    // An edge pixel counts as ring when one of the two pixels nearest that edge is blue.
    for (const edge of ['top', 'bottom', 'left', 'right'] as const) {
      const along = edge === 'top' || edge === 'bottom' ? width : height;
      let blue = 0;
      for (let i = 0; i < along; i++) {
        let hit = false;
        for (let d = 0; d < 2 && !hit; d++) {
          const x = edge === 'left' ? d : edge === 'right' ? width - 1 - d : i;
          const y = edge === 'top' ? d : edge === 'bottom' ? height - 1 - d : i;
          const p = (y * width + x) * 4;
          hit = data[p + 2]! > 180 && data[p]! < 100 && data[p + 1]! > 110 && data[p + 1]! < 210;
        }
        if (hit) blue++;
      }
      edges[edge] = blue / along;
    }
    return edges;
  }, png.toString('base64'));
}

test('the console page fits an 800 px high window at 1280 and 400 px wide, and the focused screen shows its ring on all four sides', async () => {
  const id = (await runningGuests()).spice;
  for (const scheme of ['light', 'dark'] as const) {
    const { page } = await ui.pair(scheme);
    for (const width of [1280, 400]) {
      await page.setViewportSize({ width, height: 800 });
      await enter(page, 'Leave SPICE', id, ui.helper.origin, 'display');
      const overflow = await page.evaluate(() => ({
        down: document.documentElement.scrollHeight - window.innerHeight,
        // The console's own part (the top bar is every page's, not this page's to fix).
        sideways: Math.max(0, Math.ceil(document.querySelector('main section')!.scrollWidth - document.querySelector('main section')!.clientWidth)),
        // What sticks out, for the message.
        wide: [...document.querySelectorAll('main section *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
          .slice(0, 5)
          .map((e) => `${e.tagName.toLowerCase()}.${String(e.getAttribute('class')).slice(0, 60)} → ${Math.round(e.getBoundingClientRect().right)}`),
      }));
      assert.deepEqual([overflow.down, overflow.sideways], [0, 0], `the console page scrolls at ${width}×800 (${scheme}): ${JSON.stringify(overflow)}`);

      await page.locator('[data-testid="console-screen"] canvas').focus();
      const edges = await ringOnEdges(page, '[data-testid="console-viewport"]');
      for (const [edge, share] of Object.entries(edges)) assert.ok(share > 0.9, `the focus ring shows on the ${edge} edge at ${width} px (${scheme}): ${JSON.stringify(edges)}`);
      await screenshot(page, `console-page-${width}-${scheme}`);
      const { violations } = await new AxeBuilder({ page }).analyze();
      const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      assert.deepEqual(bad, [], `axe on the live console at ${width} px (${scheme})`);

      await page.getByRole('link', { name: '← Library' }).click();
      await page.locator('#library-title').waitFor();
    }
  }
});

test('by keyboard at 400 px: Enter on a card opens the console, the release key and Shift+Tab reach "← Library", Enter leaves without a page error', async () => {
  const id = (await runningGuests()).spice;
  const { page, consoleErrors } = await ui.pair('dark');
  const sockets = trackConsoleSockets(page);
  await page.setViewportSize({ width: 400, height: 800 });
  await page.getByRole('button', { name: 'Console Leave SPICE' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(`${ui.helper.origin}/console?vm=${id}`);
  await screen.waitForScreenConnected(page);
  await screen.waitForGuestOnCanvas(page);
  await page.locator('[data-testid="console-screen"] canvas').focus();
  // The release key (Ctrl+Alt) gives the keyboard back to the page, on the toolbar's first button.
  await page.keyboard.down('Control');
  await page.keyboard.down('Alt');
  await page.keyboard.up('Alt');
  await page.keyboard.up('Control');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Fit');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), '← Library');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${ui.helper.origin}/`);
  await page.locator('#library-title').waitFor();
  for (let i = 0; i < 100 && sockets.size > 0; i += 1) await page.waitForTimeout(100);
  assert.equal(sockets.size, 0, 'leaving by keyboard left console sockets open');
  // And the browser's Back returns to a working console.
  await page.goBack();
  await page.waitForURL(`${ui.helper.origin}/console?vm=${id}`);
  await screen.waitForScreenConnected(page);
  await screen.waitForGuestOnCanvas(page);
  await page.getByRole('link', { name: '← Library' }).click();
  await page.locator('#library-title').waitFor();
  assert.deepEqual(consoleErrors.errors, []);
});
