import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { screenshot } from './support/browser';
import { waitForGuestOnCanvas, waitForScreenConnected, watchScreen } from './support/console-screen';
import { uiSuite } from './support/ui-suite';

// The SPICE pointer in real Chromium against the real helper and test guests under TCG: relative
// (captured) for a guest without a USB tablet, absolute for one that takes its tablet. What QEMU's
// SPICE server is sent over the real bridge is what is checked: the test guest has no PS/2 mouse
// driver, so it cannot report relative motion itself.

const ui = uiSuite();

// SPICE inputs messages the page sent (mini header: type u16, size u32): relative motion (111,
// dx i32, dy i32) and absolute positions (112, x u32, y u32 in guest pixels).
function spiceMouseMessages(p: Page): { motion: Array<{ dx: number; dy: number }>; positions: Array<{ x: number; y: number }> } {
  const seen = { motion: [] as Array<{ dx: number; dy: number }>, positions: [] as Array<{ x: number; y: number }> };
  p.on('websocket', (ws) =>
    ws.on('framesent', ({ payload }) => {
      if (typeof payload === 'string' || payload.length < 14) return;
      const type = payload.readUInt16LE(0);
      if (type === 111) seen.motion.push({ dx: payload.readInt32LE(6), dy: payload.readInt32LE(10) });
      if (type === 112) seen.positions.push({ x: payload.readUInt32LE(6), y: payload.readUInt32LE(10) });
    }),
  );
  return seen;
}

// A paired page on the console of a freshly booted guest, its SPICE mouse messages recorded.
async function consoleOf(name: string, input: { usbTablet: boolean }) {
  const { helper } = ui;
  const id = await helper.createKernelGuest(name, { input });
  await (await helper.api()).call('vm.start', { id });
  await helper.waitForGuestShell(id);
  const { page } = await ui.pair();
  watchScreen(page, helper.log);
  const sent = spiceMouseMessages(page);
  await page.goto(`${helper.origin}/console?vm=${encodeURIComponent(id)}`);
  await waitForScreenConnected(page);
  await waitForGuestOnCanvas(page);
  const done = async () => {
    await page.goto(`${helper.origin}/`);
    await (await helper.api()).call('vm.kill', { id });
  };
  return { page, sent, done };
}

test('a guest without a USB tablet: a click on the screen captures the pointer, movement goes out as relative motion, Ctrl+Alt lets go', async () => {
  const { page, sent, done } = await consoleOf('Tux mouse', { usbTablet: false });
  // SPICE says the pointer is relative (server mouse mode): capture is offered and a click takes it.
  await page.locator('[data-testid="console-screen"][data-pointer="relative"]').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Capture pointer' }).getAttribute('aria-disabled'), 'false');
  const canvas = page.locator('[data-testid="console-screen"] canvas');
  await canvas.click();
  await page.waitForFunction(() => document.pointerLockElement !== null && document.pointerLockElement === document.querySelector('[data-testid="console-screen"] canvas'));
  await screenshot(page, 'console-pointer-captured');
  const box = (await canvas.boundingBox())!;
  const before = sent.motion.length;
  // The first step also carries the jump from where the click left Playwright's mouse; each
  // of the next eleven is exactly (7, 4), and must reach QEMU as exactly that motion.
  for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 100 + i * 7, box.y + 100 + i * 4);
  // Frames reach the test after the page sent them: wait (bounded) until they are all in.
  const steps = () => sent.motion.slice(before).filter((m) => m.dx === 7 && m.dy === 4).length;
  for (let i = 0; i < 100 && steps() < 11; i++) await page.waitForTimeout(50);
  assert.equal(steps(), 11, `the captured pointer's moves went out as relative motion: ${JSON.stringify(sent.motion.slice(before))}`);
  assert.equal(sent.positions.length, 0, 'no absolute positions for a relative pointer');

  // The release key lets the pointer go and gives the keyboard back to the toolbar.
  await page.keyboard.down('Control');
  await page.keyboard.down('Alt');
  await page.keyboard.up('Alt');
  await page.keyboard.up('Control');
  await page.waitForFunction(() => document.pointerLockElement === null);
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Fit');
  // The toolbar button captures it again, for keyboard users.
  await page.getByRole('button', { name: 'Capture pointer' }).click();
  await page.waitForFunction(() => document.pointerLockElement === document.querySelector('[data-testid="console-screen"] canvas'));
  await done();
});

// The test guest loads the USB host and HID drivers, so it takes the tablet QEMU gives it and
// QEMU's SPICE server offers client (absolute) mouse mode, which the page asks for.
test('a guest that takes its USB tablet: the pointer is absolute, never captured, and moves go out as positions in guest pixels', async () => {
  const { page, sent, done } = await consoleOf('Tux tablet', { usbTablet: true });
  await page.locator('[data-testid="console-screen"][data-pointer="absolute"]').waitFor({ timeout: 30_000 });
  assert.equal(await page.getByRole('button', { name: 'Capture pointer' }).getAttribute('aria-disabled'), 'true', 'nothing to capture');
  await page.getByRole('button', { name: '1:1' }).click();
  const canvas = page.locator('[data-testid="console-screen"] canvas');
  const box = (await canvas.boundingBox())!;
  await canvas.click({ position: { x: 40, y: 30 } });
  for (const [x, y] of [[120, 70], [121, 72], [300, 200]] as const) await page.mouse.move(box.x + x, box.y + y);
  const reached = () => sent.positions.some((p) => p.x === 300 && p.y === 200);
  for (let i = 0; i < 100 && !reached(); i++) await page.waitForTimeout(50);
  assert.ok(reached(), `the last move went out as the guest pixel (300, 200): ${JSON.stringify(sent.positions.slice(-5))}`);
  assert.ok(sent.positions.some((p) => p.x === 120 && p.y === 70), 'and the one before it as (120, 70)');
  assert.equal(sent.motion.length, 0, 'no relative motion for an absolute pointer');
  assert.equal(await page.evaluate(() => document.pointerLockElement), null, 'a click does not capture an absolute pointer');
  await screenshot(page, 'console-pointer-absolute');
  await done();
});
