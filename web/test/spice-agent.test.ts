import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { guestSizeFor } from '../src/components/console/spice-agent/guest-size';
import { NO_SPICE } from '../../helper/test/support/qemu-features';
import { launchChromium, screenshot, type ConsoleErrors } from './support/browser';
import { ensureWebBuilt } from './support/build-web';
import { guestValue } from './support/guest-shell';
import { RealHelper } from './support/real-helper';
import { startAgentGuest } from './support/agent-vm';
import { openClipboardConsole, pageClipboardUntil, sendTextToGuest, sha256, type ClipboardConsoleOptions } from './support/shared-clipboard';
import { PNG } from 'pngjs';

// The SPICE agent in the page, against the agent guest (Debian: X on QXL, spice-vdagent) under
// TCG, in real Chromium with the clipboard allowed: the clipboard both ways (non-ASCII, 1 MiB,
// PNG images, text with an image), the guest's resolution following the console (device
// pixels; not in 1:1), files dropped on the console arriving whole (20 MiB), one after another,
// and a cancel.

let helper: RealHelper;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let consoleErrors: ConsoleErrors;
let vm: string;

// The guest's shell, with the X display its clipboard lives on.
const inGuest = (script: string, timeoutMs?: number) => guestValue(helper, vm, `export DISPLAY=:0; ${script}`, timeoutMs);

before(async () => {
  if (NO_SPICE) return;
  ensureWebBuilt();
  helper = await RealHelper.start();
  browser = await launchChromium();
  vm = await startAgentGuest(helper, 'Agent guest');
});

after(async () => {
  await browser?.close();
  await helper?.stop();
});

async function openConsole(options: ClipboardConsoleOptions = {}): Promise<void> {
  ({ context, page, consoleErrors } = await openClipboardConsole(browser, helper, vm, options));
  // The agent announced itself: the toolbar says the clipboard is shared.
  await page.locator('[data-testid="console-clipboard"][data-shared="true"]').waitFor({ timeout: 120_000 });
  assert.equal(await page.getByTestId('console-clipboard').textContent(), 'Clipboard shared');
}

afterEach(async () => {
  await context?.close();
  if (consoleErrors) assert.deepEqual(consoleErrors.errors, [], 'the page logged errors');
});

test('clipboard: text copied in the guest lands in the page, text copied in the page pastes in the guest (non-ASCII)', { skip: NO_SPICE }, async () => {
  await openConsole();
  const token = randomBytes(4).toString('hex');
  // "Grüße ✓ <token>" in octal escapes: the serial line carries ASCII only.
  await inGuest(`printf 'Gr\\303\\274\\303\\237e \\342\\234\\223 %s' ${token} | xclip -i -selection clipboard; v=copied`);
  assert.equal(await pageClipboardUntil(page, (t) => t.includes(token)), `Grüße ✓ ${token}`);

  const fromHost = `Ünïcødé ✓ 😀 — ${randomBytes(4).toString('hex')}`;
  assert.equal(await sendTextToGuest(page, inGuest, fromHost), sha256(fromHost));
  await screenshot(page, 'spice-agent-clipboard');
});

test('clipboard: 1 MiB of non-ASCII text goes both ways whole', { skip: NO_SPICE }, async () => {
  await openConsole();
  // Guest to page: 45591 lines of "Grüße ✓ 0123456789" (23 bytes each, 1 MiB and a little).
  const guestSha = await inGuest(
    "line=$(printf 'Gr\\303\\274\\303\\237e \\342\\234\\223 0123456789'); yes \"$line\" | head -n 45591 >/tmp/big-out; xclip -i -selection clipboard </tmp/big-out; v=$(sha256sum </tmp/big-out | cut -c1-64)",
  );
  const got = await pageClipboardUntil(page, (t) => Buffer.byteLength(t) >= 45591 * 23);
  assert.equal(Buffer.byteLength(got), 45591 * 23);
  assert.equal(sha256(got), guestSha);

  // Page to guest: a different MiB, with characters of 1 to 4 bytes.
  const block = `ä€😀x ${randomBytes(2).toString('hex')}\n`;
  const big = block.repeat(Math.ceil((1024 * 1024) / Buffer.byteLength(block)));
  assert.ok(Buffer.byteLength(big) >= 1024 * 1024);
  assert.equal(await sendTextToGuest(page, inGuest, big), sha256(big));
});

// A small opaque picture (opaque: the browser keeps its pixels exact when it re-encodes it) with
// a pattern of its own per seed, as PNG bytes.
function testImage(width: number, height: number, seed: number): Buffer {
  const img = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      img.data[i] = (x * 16 + seed * 40) & 0xff;
      img.data[i + 1] = (y * 20 + seed * 90) & 0xff;
      img.data[i + 2] = ((x ^ y) * 8 + seed) & 0xff;
      img.data[i + 3] = 0xff;
    }
  }
  return PNG.sync.write(img);
}

// A PNG's size and RGBA pixels, whatever its encoding (Chromium re-encodes images on its
// clipboard, so bytes differ where pixels do not).
function pixels(png: Buffer): { width: number; height: number; sha: string } {
  const img = PNG.sync.read(png);
  return { width: img.width, height: img.height, sha: sha256(img.data) };
}

// Polls the page's clipboard until it holds an image/png with the pixels of `want`; returns the
// pixels it last saw.
async function pageClipboardImage(want: Buffer, timeoutMs = 120_000): Promise<ReturnType<typeof pixels> | null> {
  const deadline = Date.now() + timeoutMs;
  let seen: ReturnType<typeof pixels> | null = null;
  while (Date.now() < deadline) {
    const b64 = await page.evaluate(async () => {
      for (const item of await navigator.clipboard.read()) {
        if (!item.types.includes('image/png')) continue;
        const bytes = new Uint8Array(await (await item.getType('image/png')).arrayBuffer());
        let s = '';
        for (const b of bytes) s += String.fromCharCode(b);
        return btoa(s);
      }
      return null;
    });
    seen = b64 === null ? null : pixels(Buffer.from(b64, 'base64'));
    if (seen && seen.sha === pixels(want).sha) return seen;
    await new Promise((r) => setTimeout(r, 250));
  }
  return seen;
}

// Puts an image (and a text, if given) in the page's clipboard as one item, and sends it.
async function sendImageToGuest(png: Buffer, text?: string): Promise<void> {
  await page.evaluate(
    async ({ b64, text }) => {
      const parts: Record<string, Blob> = { 'image/png': new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' }) };
      if (text !== undefined) parts['text/plain'] = new Blob([text], { type: 'text/plain' });
      await navigator.clipboard.write([new ClipboardItem(parts)]);
    },
    { b64: png.toString('base64'), text },
  );
  await page.getByRole('button', { name: 'Send clipboard' }).click();
}

// The pixels of the image/png in the guest's X clipboard, once they are those of `want` (or
// what it held after two minutes).
async function guestClipboardImage(want: Buffer, timeoutMs = 120_000): Promise<ReturnType<typeof pixels> | string> {
  const deadline = Date.now() + timeoutMs;
  let seen: ReturnType<typeof pixels> | string = 'nothing';
  while (Date.now() < deadline) {
    const b64 = await inGuest('v=$(timeout 20 xclip -o -selection clipboard -t image/png 2>/dev/null | base64 -w0)');
    try {
      seen = pixels(Buffer.from(b64, 'base64'));
      if (seen.sha === pixels(want).sha) return seen;
    } catch {
      seen = `not a PNG (${b64.length} base64 characters)`;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return seen;
}

test('clipboard: an image copied in the guest lands in the page as PNG; an image copied in the page comes out of the guest as PNG (same pixels)', { skip: NO_SPICE }, async () => {
  await openConsole();
  // Guest to page: the picture typed into the guest as base64 (the serial line is ASCII).
  const fromGuest = testImage(16, 12, 1);
  const b64 = fromGuest.toString('base64');
  assert.ok(b64.length < 3000, `the image fits one shell line (${b64.length} characters)`);
  await inGuest(`echo ${b64} | base64 -d >/tmp/in.png; xclip -selection clipboard -t image/png -i /tmp/in.png; v=copied`);
  assert.deepEqual(await pageClipboardImage(fromGuest), pixels(fromGuest));

  // Page to guest: another picture; the guest's clipboard offers it as image/png.
  const fromPage = testImage(20, 10, 2);
  await sendImageToGuest(fromPage);
  assert.deepEqual(await guestClipboardImage(fromPage), pixels(fromPage));
  await screenshot(page, 'spice-agent-clipboard-image');
});

test('clipboard: text and an image copied together in the page reach the guest as both types, as virt-viewer offers them', { skip: NO_SPICE }, async () => {
  await openConsole();
  const image = testImage(12, 12, 3);
  const text = `caption ✓ ${randomBytes(4).toString('hex')}`;
  await sendImageToGuest(image, text);
  assert.deepEqual(await guestClipboardImage(image), pixels(image));
  const targets = await inGuest('v=$(timeout 20 xclip -o -selection clipboard -t TARGETS | tr "\\n" ,)');
  assert.match(targets, /(^|,)image\/png(,|$)/);
  assert.match(targets, /(^|,)UTF8_STRING(,|$)/);
  assert.equal(await inGuest('v=$(timeout 20 xclip -o -selection clipboard | sha256sum | cut -c1-64)'), sha256(text));
});

// The X screen's size as the guest sees it, once it is `want` (or after a minute). The guest
// switches by itself: QXL reports the page's monitors config as a hotplug, and the image's udev
// rule moves the output to the new preferred mode.
const guestScreen = (want: string) =>
  inGuest(`for i in $(seq 60); do v=$(xrandr --current | sed -n 's/.*current \\([0-9]*\\) x \\([0-9]*\\),.*/\\1x\\2/p'); [ "$v" = ${want} ] && break; sleep 1; done`, 240_000);

async function consoleArea(): Promise<{ width: number; height: number }> {
  return page.getByTestId('console-viewport').evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { width: r.width, height: r.height };
  });
}

test("resize: the guest's screen follows the console's size, in device pixels, and 1:1 turns it off", { skip: NO_SPICE }, async () => {
  await openConsole({ viewport: { width: 1100, height: 760 } });
  const first = guestSizeFor(...Object.values(await consoleArea()) as [number, number], 1)!;
  assert.equal(await guestScreen(`${first.width}x${first.height}`), `${first.width}x${first.height}`);
  await page.getByTestId('console-status').getByText(`${first.width}×${first.height}`).waitFor({ timeout: 60_000 });

  await page.setViewportSize({ width: 900, height: 640 });
  const second = guestSizeFor(...Object.values(await consoleArea()) as [number, number], 1)!;
  assert.notDeepEqual(second, first);
  assert.equal(await guestScreen(`${second.width}x${second.height}`), `${second.width}x${second.height}`);

  // 1:1: the guest keeps its own resolution, and the toolbar says why it no longer follows.
  await page.getByRole('button', { name: '1:1' }).click();
  const resize = page.getByRole('button', { name: 'Resize guest with window' });
  assert.equal(await resize.getAttribute('aria-disabled'), 'true');
  assert.match((await resize.getAttribute('title')) ?? '', /off in 1:1/);
  await context.close();

  // A HiDPI screen: twice the pixels, shown at half the size, so the canvas fills the console.
  await openConsole({ viewport: { width: 760, height: 560 }, deviceScaleFactor: 2 });
  const area = await consoleArea();
  const hidpi = guestSizeFor(area.width, area.height, 2)!;
  assert.equal(await guestScreen(`${hidpi.width}x${hidpi.height}`), `${hidpi.width}x${hidpi.height}`);
  await page.getByTestId('console-status').getByText(`${hidpi.width}×${hidpi.height}`).waitFor({ timeout: 60_000 });
  const shown = await page.locator('[data-testid="console-screen"] canvas').evaluate((c: HTMLCanvasElement) => ({ css: c.getBoundingClientRect().width, pixels: c.width }));
  assert.equal(shown.pixels, hidpi.width);
  assert.ok(Math.abs(shown.css - hidpi.width / 2) <= 2, `canvas shown ${shown.css} px wide for ${hidpi.width} guest pixels at 2×`);
});

// Makes files in the page (deterministic bytes, so nothing large crosses from the test) and
// drops them on the console as a person's drag would; returns their sha256 as the page computed.
async function dropFiles(files: Array<{ name: string; size: number }>): Promise<string[]> {
  return page.evaluate(async (list) => {
    const made = list.map(({ name, size }, n) => {
      const bytes = new Uint8Array(size);
      let x = 0x9e3779b9 ^ (n + 1) ^ size;
      for (let i = 0; i < size; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        bytes[i] = x & 0xff;
      }
      return { file: new File([bytes], name, { type: 'application/octet-stream' }), bytes };
    });
    const hashes = await Promise.all(made.map(async ({ bytes }) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('')));
    // Every percent the transfers' progress bars show, to see that they moved.
    const seen: number[] = ((window as unknown as { progressSeen: number[] }).progressSeen = []);
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.target instanceof HTMLElement && r.target.closest('[data-testid="file-transfer"]')) seen.push(Number(r.target.getAttribute('aria-valuenow')));
      }
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['aria-valuenow'] });
    const data = new DataTransfer();
    for (const { file } of made) data.items.add(file);
    const target = document.querySelector('[data-testid="console-viewport"]')!;
    for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
    return hashes;
  }, files);
}

// How a dropped file's copy ended ('done', or the state and the words the page shows).
async function transferEnd(name: string): Promise<string> {
  const row = page.getByTestId('file-transfer').filter({ hasText: name });
  await page.locator('[data-testid="file-transfer"]:is([data-state="done"], [data-state="failed"], [data-state="cancelled"])').filter({ hasText: name }).waitFor({ timeout: 600_000 });
  const state = await row.getAttribute('data-state');
  return state === 'done' ? state : `${state}: ${await row.textContent()}`;
}

// Where the agent saved a file, found by name, and its sha256 ('' when there is none).
const guestFileSha = (name: string) => inGuest(`f=$(find / -xdev -name '${name}' -type f 2>/dev/null | head -n1); [ -n "$f" ] && v=$(sha256sum <"$f" | cut -c1-64)`, 240_000);

test('files: a 20 MiB file dropped on the console arrives in the guest whole, with progress; two more follow in turn', { skip: NO_SPICE }, async () => {
  await openConsole();
  const name = `drop-${randomBytes(3).toString('hex')}.bin`;
  const size = 20 * 1024 * 1024;
  const [hash] = await dropFiles([{ name, size }]);
  const row = page.getByTestId('file-transfer').filter({ hasText: name });
  await row.waitFor();
  assert.equal(await transferEnd(name), 'done');
  const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
  assert.ok(seen.some((v) => v > 0 && v < 100), `the progress bar moved (${seen.join(' ')})`);
  assert.equal(await guestFileSha(name), hash);
  await screenshot(page, 'spice-agent-file-done');
  await row.getByRole('button', { name: `Dismiss ${name}` }).click();
  await row.waitFor({ state: 'detached' });

  const names = [`one-${randomBytes(3).toString('hex')}.bin`, `two-${randomBytes(3).toString('hex')}.txt`];
  const hashes = await dropFiles(names.map((n, i) => ({ name: n, size: 300_000 + i })));
  for (const n of names) assert.equal(await transferEnd(n), 'done');
  assert.deepEqual([await guestFileSha(names[0]!), await guestFileSha(names[1]!)], hashes);
});

test('files: Cancel stops a copy, and the guest keeps no part of it', { skip: NO_SPICE }, async () => {
  await openConsole();
  const name = `cancel-${randomBytes(3).toString('hex')}.bin`;
  await dropFiles([{ name, size: 64 * 1024 * 1024 }]);
  const row = page.locator('[data-testid="file-transfer"][data-state="sending"]').filter({ hasText: name });
  await row.waitFor({ timeout: 120_000 });
  await row.getByRole('button', { name: `Cancel ${name}` }).click();
  await page.locator('[data-testid="file-transfer"][data-state="cancelled"]').filter({ hasText: name }).waitFor();
  const left = await inGuest(`for i in $(seq 60); do v=$(find / -xdev -name '${name}*' 2>/dev/null | wc -l); [ "$v" = 0 ] && break; sleep 1; done`, 120_000);
  assert.equal(left, '0');
});
