import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

// What the console tests check on a page's screen pane, shared by the unix-socket and the
// loopback-TCP (Windows form) console tests.

// Waits for the screen to connect; fails at once, with what the page says, if it drops instead.
// 'attached', not visible: a screen that never connected has no canvas and so no size.
export async function waitForScreenConnected(page: Page): Promise<void> {
  await page.locator('[data-testid="console-screen"]:is([data-phase="connected"], [data-phase="disconnected"])').waitFor({ state: 'attached', timeout: 60_000 });
  if ((await page.getByTestId('console-screen').getAttribute('data-phase')) === 'disconnected') {
    assert.fail(`the screen did not connect: ${await page.getByTestId('console-overlay').innerText()}`);
  }
}

// How many pixels of the guest's canvas differ from its most common colour (the background):
// a blank or black screen has none, the guest's console text has thousands.
export function inkedPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="console-screen"] canvas');
    if (!canvas || canvas.width === 0 || canvas.height === 0) return 0;
    const ctx = canvas.getContext('2d');
    if (!ctx) return 0;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const counts = new Map<number, number>();
    for (let i = 0; i < data.length; i += 4) {
      const rgb = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
      counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
    }
    const background = Math.max(...counts.values());
    return data.length / 4 - background;
  });
}

// Waits (bounded) until the canvas shows the guest's console text.
export async function waitForGuestOnCanvas(page: Page, min = 2000): Promise<number> {
  let inked = 0;
  await page.waitForFunction(() => document.querySelector('[data-testid="console-screen"] canvas') !== null, null, { timeout: 60_000 });
  for (let i = 0; i < 300 && inked < min; i += 1) {
    inked = await inkedPixels(page);
    if (inked < min) await page.waitForTimeout(200);
  }
  assert.ok(inked >= min, `the canvas shows the guest's console (${inked} inked pixels)`);
  return inked;
}

// Types a shell command that writes a token to the serial port; only lowercase letters and
// digits in the token, because the viewers send physical keys (Shift is pressed explicitly).
export async function typeSerialEcho(page: Page, token: string): Promise<void> {
  await page.keyboard.type(`echo ${token} `, { delay: 15 });
  await page.keyboard.press('Shift+Period');
  await page.keyboard.type(' /dev/tty', { delay: 15 });
  await page.keyboard.press('Shift+KeyS');
  await page.keyboard.type('0', { delay: 15 });
  await page.keyboard.press('Enter');
}
