import { AxeBuilder } from '@axe-core/playwright';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { waitForText } from '../../helper/test/support/wait';
import { testGuest } from '../../helper/test/support/test-guest';
import { defaultRuntimeRoot, runtimePathsFor } from '../../helper/src/runtime/runtime-paths';
import { ConsoleErrors, launchChromium, screenshot } from './support/browser';
import { ensureWebBuilt } from './support/build-web';
import { RealHelper } from './support/real-helper';
import * as screen from './support/console-screen';
import { NO_SPICE } from '../../helper/test/support/qemu-features';

// The console page in real Chromium against the real helper, with real test guests under TCG:
// the SPICE screen (spice-html5) takes keystrokes that reach the guest's shell, the serial tab
// (xterm.js) runs commands, the VNC variant (noVNC) shows the screen, a drop (SPICE or VNC) says
// why and reconnects. The pointer modes are in console-pointer.test.ts.

let helper: RealHelper;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let consoleErrors: ConsoleErrors;
let spiceVm: string;

before(async () => {
  ensureWebBuilt();
  helper = await RealHelper.start();
  browser = await launchChromium();
  spiceVm = await helper.createKernelGuest('Tux SPICE');
  await (await helper.api()).call('vm.start', { id: spiceVm });
  await helper.waitForGuestShell(spiceVm);
});

after(async () => {
  await browser?.close();
  await helper?.stop();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  page = await context.newPage();
  consoleErrors = new ConsoleErrors(page);
  screen.watchScreen(page, helper.log);
  // DEBUG_CONSOLE=1 prints the page's whole console (spice-html5 logs its channel chatter there).
  if (process.env.DEBUG_CONSOLE) page.on('console', (m) => console.log('PAGE', m.type(), m.text()));
  await pairThroughUi();
});

afterEach(async () => {
  await context.close();
  assert.deepEqual(consoleErrors.errors, [], 'the page logged errors');
});

// Pairs this browser context with the link `openutm pair` prints, through the pairing page.
async function pairThroughUi(): Promise<void> {
  const { url } = helper.pairing();
  await page.goto(url);
  await page.getByRole('button', { name: 'Pair', exact: true }).click();
  await page.waitForURL(`${helper.origin}/`);
}

// The shared screen checks, on this file's current page.
const waitForScreenConnected = () => screen.waitForScreenConnected(page);
const inkedPixels = () => screen.inkedPixels(page);
const waitForGuestOnCanvas = (min?: number) => screen.waitForGuestOnCanvas(page, min);
const typeSerialEcho = (token: string) => screen.typeSerialEcho(page, token);

async function openConsole(id: string): Promise<void> {
  await page.goto(`${helper.origin}/console?vm=${encodeURIComponent(id)}`);
  await waitForScreenConnected();
}

// The canvas as laid out on the page versus its own pixel size, and the area it sits in.
function screenGeometry(): Promise<{ shown: { width: number; height: number }; pixels: { width: number; height: number }; area: { width: number; height: number } }> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="console-screen"] canvas')!;
    const rect = canvas.getBoundingClientRect();
    const area = document.querySelector('[data-testid="console-viewport"]')!.getBoundingClientRect();
    return { shown: { width: rect.width, height: rect.height }, pixels: { width: canvas.width, height: canvas.height }, area: { width: area.width, height: area.height } };
  });
}

// axe-core: no serious or critical violations on the page as it is now.
async function assertAccessible(): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(bad, []);
}

// The terminal's visible text, as xterm.js's DOM renderer draws it.
function terminalText(): Promise<string> {
  return page.locator('[data-testid="serial-terminal"] .xterm-rows').innerText();
}

test('the SPICE screen, opened from the library card, shows the guest and keys typed into it reach the guest shell', { skip: NO_SPICE }, async () => {
  await page.getByRole('button', { name: 'Console Tux SPICE' }).click();
  await page.waitForURL(`${helper.origin}/console?vm=${spiceVm}`);
  await waitForScreenConnected();
  assert.equal(await page.getByTestId('console-screen').getAttribute('data-protocol'), 'spice');
  await waitForGuestOnCanvas();
  await page.getByTestId('console-status').getByText(/Connected · SPICE · \d+×\d+/).waitFor();

  // Nothing can resize the guest without its agent, and the toolbar says so.
  const resize = page.getByRole('button', { name: 'Resize guest with window' });
  assert.equal(await resize.getAttribute('aria-disabled'), 'true');
  assert.match((await resize.getAttribute('title')) ?? '', /SPICE guest agent/);
  // Nor share the clipboard: the toolbar says what is missing.
  assert.equal(await page.getByTestId('console-clipboard').textContent(), 'No agent in the guest: install spice-vdagent');
  assert.equal(await page.getByRole('button', { name: 'Send clipboard' }).getAttribute('aria-disabled'), 'true');
  await assertAccessible();

  // spice-html5 sends physical keys: uppercase and symbols need Shift pressed explicitly.
  const token = `openutm-typed-${randomBytes(4).toString('hex')}`;
  const before = inkedPixels();
  await page.locator('[data-testid="console-screen"] canvas').focus();
  await typeSerialEcho(token);
  await screen.waitForTyped(page, helper.serialLog(spiceVm), token);
  assert.notEqual(await inkedPixels(), await before, 'the typed command shows on the screen');
  await screenshot(page, 'console-spice-typed');

  // The release key gives the keyboard back to the page: focus lands on the toolbar.
  await page.keyboard.down('Control');
  await page.keyboard.down('Alt');
  await page.keyboard.up('Alt');
  await page.keyboard.up('Control');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Fit');
});

test('the key-combo menu is keyboard-reachable and its Ctrl+Alt+Del reaches the guest keyboard', async () => {
  await openConsole(spiceVm);
  await waitForGuestOnCanvas();
  // The guest reports its keyboard's next key events on the serial port: one input_event (24
  // bytes on x86_64) per line; Ctrl+Alt+Del is 18 of them (scan, key, sync for each press and release).
  await page.getByRole('tab', { name: 'Serial console' }).click();
  await page.locator('[data-testid="serial-status"][data-phase="connected"]').waitFor({ timeout: 60_000 });
  // Keys are only sent once dd holds the device open (the guest says so), or they would be lost.
  await page.keyboard.type(
    "ev=$(grep -A5 'AT Translated' /proc/bus/input/devices | sed -n 's/.*\\(event[0-9]*\\).*/\\1/p'); " +
      'dd if=/dev/input/$ev of=/tmp/keys bs=24 count=18 2>/dev/null & p=$!; ' +
      'until ls -l /proc/$p/fd 2>/dev/null | grep -q input; do sleep 0.1; done; echo reading-keys-$((2+2)); ' +
      'wait $p; od -An -tx1 -w24 -v /tmp/keys; echo keys-$((1+1))-done\n',
    { delay: 5 },
  );
  await waitForText(helper.serialLog(spiceVm), 'reading-keys-4', 60_000);
  await page.getByRole('tab', { name: 'Display' }).click();

  const menuButton = page.getByRole('button', { name: 'Send keys ▾' });
  await menuButton.focus();
  await page.keyboard.press('ArrowDown');
  await page.getByRole('menu').waitFor();
  assert.ok((await page.getByRole('menuitem').count()) >= 9, 'Ctrl+Alt+Del, Ctrl+Alt+F1..F7 and more');
  // The menu moves focus to its first item once it has rendered (bounded wait, not a timing test).
  await page
    .waitForFunction(() => document.activeElement?.getAttribute('data-combo') === 'ControlLeft+AltLeft+Delete', null, { timeout: 10_000 })
    .catch(async () => assert.fail(`focus is not on Ctrl+Alt+Del but on ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200))}`));
  await screenshot(page, 'console-key-menu');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  assert.equal(await page.getByRole('menu').isHidden(), true, 'the menu closes after sending');

  const log = await waitForText(helper.serialLog(spiceVm), 'keys-2-done', 60_000);
  const dump = log.slice(log.lastIndexOf('reading-keys-4'));
  // Each key shows as an EV_KEY event (type 1, its key code, value 1) and an EV_MSC scan event
  // (type 4, code 4, its scan code). The serial log holds each byte once (serial-log-file.ts).
  for (const [keyCode, scan] of [['1d', '1d'], ['38', '38'], ['6f', 'd3']]) {
    assert.match(dump, new RegExp(`01 00 ${keyCode} 00 01`), `key 0x${keyCode} went down in the guest:\n${dump}`);
    assert.match(dump, new RegExp(`04 00 04 00 ${scan}`), `scan code 0x${scan} reached the guest:\n${dump}`);
  }
});

// Opens the serial tab of the SPICE test guest and waits until the terminal shows `text`.
async function openSerialTab(text: string): Promise<void> {
  await page.goto(`${helper.origin}/console?vm=${encodeURIComponent(spiceVm)}`);
  await page.getByRole('tab', { name: 'Serial console' }).click();
  await page.locator('[data-testid="serial-status"][data-phase="connected"]').waitFor({ timeout: 60_000 });
  await page.waitForFunction((t) => document.querySelector('[data-testid="serial-terminal"]')?.textContent?.includes(t), text);
}

test('the serial tab shows the scrollback and runs a typed command', async () => {
  await openSerialTab(testGuest().marker);
  await page.keyboard.type('echo serial-$((6*7))-ok\n', { delay: 10 });
  await page
    .waitForFunction(() => document.querySelector('[data-testid="serial-terminal"] .xterm-rows')?.textContent?.includes('serial-42-ok'))
    .catch(async (e: Error) => assert.fail(`${e.message}\n${await serialDiagnosis()}`));
  assert.match(await terminalText(), /serial-42-ok/);
  await assertAccessible();
  await screenshot(page, 'console-serial');
});

test('a serial console that connects again replays the scrollback without answering the old queries in it', async () => {
  // busybox's shell asks for the cursor position at every prompt, so the scrollback holds such
  // queries; a program reading the serial port must get what is typed and nothing else.
  assert.match(await readFile(helper.serialLog(spiceVm), 'utf8'), /\x1b\[6n/, 'the scrollback holds cursor queries');
  await openSerialTab('~ #');
  await page.keyboard.type('cat > /tmp/in\n', { delay: 10 });
  await waitForText(helper.serialLog(spiceVm), 'cat > /tmp/in', 60_000);
  await openSerialTab('cat > /tmp/in');
  await page.keyboard.type('after-replay\n', { delay: 10 });
  await page.keyboard.press('Control+d');
  const show = 'cat -v /tmp/in; echo in-$((3*3))-done';
  await page.keyboard.type(`${show}\n`, { delay: 10 });
  const log = await waitForText(helper.serialLog(spiceVm), 'in-9-done', 60_000);
  const read = log.slice(log.lastIndexOf(show) + show.length, log.lastIndexOf('in-9-done'));
  assert.equal(read.trim(), 'after-replay', 'cat read only the typed line');
});

// What a serial test that waited in vain could see: where the page's keys went, what the
// terminal shows, what reached the guest's serial port and what the helper said.
async function serialDiagnosis(): Promise<string> {
  const focused = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 160) ?? 'nothing');
  const shown = await terminalText().catch((e: Error) => `(unreadable: ${e.message})`);
  const serial = await readFile(helper.serialLog(spiceVm), 'utf8').catch(() => '');
  return [`focus: ${focused}`, `terminal:\n${shown}`, `serial log tail:\n${serial.slice(-600)}`, `helper:\n${helper.log.slice(-15).join('\n')}`].join('\n');
}

test('a VNC guest shows its screen through noVNC, takes keystrokes, and never captures the pointer', async () => {
  const id = await helper.createKernelGuest('Tux VNC', { display: { type: 'vnc' } });
  await countPointerLockRequests();
  await (await helper.api()).call('vm.start', { id });
  await helper.waitForGuestShell(id);
  await openConsole(id);
  assert.equal(await page.getByTestId('console-screen').getAttribute('data-protocol'), 'vnc');
  await waitForGuestOnCanvas();
  const token = `vnc-typed-${randomBytes(4).toString('hex')}`;
  await page.locator('[data-testid="console-screen"] canvas').focus();
  await typeSerialEcho(token);
  await screen.waitForTyped(page, helper.serialLog(id), token);
  await screenshot(page, 'console-vnc');
  // noVNC sends absolute positions (QEMU's VNC maps them): nothing to capture, and a click
  // on the screen must not take the pointer.
  assert.equal(await page.getByTestId('console-screen').getAttribute('data-pointer'), 'absolute');
  assert.equal(await page.getByRole('button', { name: 'Capture pointer' }).getAttribute('aria-disabled'), 'true');
  await page.locator('[data-testid="console-screen"] canvas').click();
  assert.equal(await page.evaluate('window.lockRequests'), 0, 'no pointer lock was asked for');
  await (await helper.api()).call('vm.kill', { id });
});

test('when a VNC VM stops the console says so without a page error, and Reconnect brings its screen back', async () => {
  const id = await helper.createKernelGuest('Tux VNC drop', { display: { type: 'vnc' } });
  await (await helper.api()).call('vm.start', { id });
  await helper.waitForGuestShell(id);
  await openConsole(id);
  assert.equal(await page.getByTestId('console-screen').getAttribute('data-protocol'), 'vnc');
  await waitForGuestOnCanvas();
  await (await helper.api()).call('vm.kill', { id });
  const overlay = page.getByTestId('console-overlay');
  await overlay.getByText('The console disconnected').waitFor({ timeout: 30_000 });
  await overlay.getByText(/is stopped/).waitFor();
  const reconnect = overlay.getByRole('button', { name: 'Reconnect' });
  assert.equal(await reconnect.getAttribute('aria-disabled'), 'true', 'nothing to reconnect to while the VM is stopped');
  await screenshot(page, 'console-vnc-dropped');
  await assertAccessible();

  await overlay.getByRole('button', { name: 'Start VM' }).click();
  await page.locator('[data-testid="state-badge"][data-state="running"]').waitFor({ timeout: 60_000 });
  await helper.waitForGuestShell(id);
  await page.waitForFunction(() => document.querySelector('[data-testid="console-overlay"] button')?.getAttribute('aria-disabled') === 'false');
  await reconnect.click();
  await waitForScreenConnected();
  assert.equal(await page.getByTestId('console-screen').getAttribute('data-protocol'), 'vnc');
  await waitForGuestOnCanvas();
  await screenshot(page, 'console-vnc-reconnected');
  // Leave the console before the VM goes, so the next drop is not this test's.
  await page.goto(`${helper.origin}/`);
  await (await helper.api()).call('vm.kill', { id });
});

test('when the helper restarts under a VNC console the page says so without a page error, and Reconnect brings the screen back', async () => {
  const id = await helper.createKernelGuest('Tux VNC restart', { display: { type: 'vnc' } });
  await (await helper.api()).call('vm.start', { id });
  await helper.waitForGuestShell(id);
  await openConsole(id);
  await waitForGuestOnCanvas();
  // While the helper is down the browser logs its refused WebSockets itself (not noVNC).
  const undo = consoleErrors.allow(/WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/api' failed/);
  await helper.restart();
  const overlay = page.getByTestId('console-overlay');
  await overlay.getByText('The console disconnected').waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="console-overlay"] button')?.getAttribute('aria-disabled') === 'false', null, { timeout: 60_000 });
  undo();
  await screenshot(page, 'console-vnc-helper-restarted');
  await overlay.getByRole('button', { name: 'Reconnect' }).click();
  await waitForScreenConnected();
  await waitForGuestOnCanvas();
  await page.goto(`${helper.origin}/`);
  await (await helper.api()).call('vm.kill', { id });
});

// noVNC logs console errors of its own ("Failed when connecting: Connection closed") when its
// socket fails before the RFB handshake; the page must show that failure, not log it.
test('a VNC screen the helper cannot reach says why without a noVNC error, and Reconnect works once it is back', async () => {
  const id = await helper.createKernelGuest('Tux VNC away', { display: { type: 'vnc' } });
  await (await helper.api()).call('vm.start', { id });
  await helper.waitForGuestShell(id);
  // QEMU's VNC socket moved aside: the helper's bridge cannot connect and refuses the upgrade.
  const endpoint = runtimePathsFor(defaultRuntimeRoot(helper.home), id, 'linux').vnc;
  assert.equal(endpoint.kind, 'unix');
  const socketPath = endpoint.kind === 'unix' ? endpoint.path : '';
  await rename(socketPath, `${socketPath}.away`);
  // The browser's own line for a refused WebSocket upgrade (it cannot be handled in script).
  const undo = consoleErrors.allow(/WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/console\/[a-z0-9]+\?ticket=[^']*' failed/);
  await page.goto(`${helper.origin}/console?vm=${encodeURIComponent(id)}`);
  const overlay = page.getByTestId('console-overlay');
  await overlay.getByText('The console disconnected').waitFor({ timeout: 30_000 });
  await overlay.getByText(/could not reach the VM's screen/i).waitFor();
  await screenshot(page, 'console-vnc-unreachable');
  undo();
  await rename(`${socketPath}.away`, socketPath);
  await overlay.getByRole('button', { name: 'Reconnect' }).click();
  await waitForScreenConnected();
  await waitForGuestOnCanvas();
  await page.goto(`${helper.origin}/`);
  await (await helper.api()).call('vm.kill', { id });
});

test('when the VM stops the console says so, and Reconnect works once it runs again', async () => {
  await openConsole(spiceVm);
  await waitForGuestOnCanvas();
  await (await helper.api()).call('vm.kill', { id: spiceVm });
  const overlay = page.getByTestId('console-overlay');
  await overlay.getByText('The console disconnected').waitFor({ timeout: 30_000 });
  await overlay.getByText(/is stopped/).waitFor();
  const reconnect = overlay.getByRole('button', { name: 'Reconnect' });
  assert.equal(await reconnect.getAttribute('aria-disabled'), 'true', 'nothing to reconnect to while the VM is stopped');
  await screenshot(page, 'console-dropped');
  await assertAccessible();

  await overlay.getByRole('button', { name: 'Start VM' }).click();
  await page.locator('[data-testid="state-badge"][data-state="running"]').waitFor({ timeout: 60_000 });
  await helper.waitForGuestShell(spiceVm);
  await page.waitForFunction(() => document.querySelector('[data-testid="console-overlay"] button')?.getAttribute('aria-disabled') === 'false');
  await reconnect.click();
  await waitForScreenConnected();
  await waitForGuestOnCanvas();
  await screenshot(page, 'console-reconnected');
});

// Counts every pointer-lock request the page makes from its next load (a string: tsx would
// wrap a function in a helper the page lacks).
async function countPointerLockRequests(): Promise<void> {
  await page.addInitScript(`(() => {
    const request = Element.prototype.requestPointerLock;
    window.lockRequests = 0;
    Element.prototype.requestPointerLock = function (...args) {
      window.lockRequests += 1;
      return request.apply(this, args);
    };
  })()`);
}

test('Fit scales the screen into the window and 1:1 shows it pixel for pixel', async () => {
  await openConsole(spiceVm);
  await waitForGuestOnCanvas();
  const fit = await screenGeometry();
  const scale = Math.min(fit.area.width / fit.pixels.width, fit.area.height / fit.pixels.height);
  assert.ok(Math.abs(fit.shown.width - fit.pixels.width * scale) < 1.5, `fit: ${JSON.stringify(fit)}`);
  assert.ok(Math.abs(fit.shown.width - fit.area.width) < 1.5 || Math.abs(fit.shown.height - fit.area.height) < 1.5, 'fit fills one side');
  await page.getByRole('button', { name: '1:1' }).click();
  assert.equal(await page.getByRole('button', { name: '1:1' }).getAttribute('aria-pressed'), 'true');
  const native = await screenGeometry();
  assert.deepEqual(native.shown, native.pixels);
  await screenshot(page, 'console-one-to-one');
});

test('when the helper restarts the console says so, and Reconnect works once it is back', async () => {
  await openConsole(spiceVm);
  await waitForGuestOnCanvas();
  // While the helper is down the browser logs its refused WebSockets itself: the API's, and a
  // console channel's that reached the helper as it was stopping (503 "the helper is stopping",
  // seen once in CI).
  const undo = consoleErrors.allow(/WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/(api|console\/[^']+)' failed/);
  await helper.restart();
  const overlay = page.getByTestId('console-overlay');
  await overlay.getByText('The console disconnected').waitFor({ timeout: 30_000 });
  await screenshot(page, 'console-helper-restarted');
  // The page reconnects to the helper by itself; the VM kept running, so Reconnect is allowed.
  await page.waitForFunction(() => document.querySelector('[data-testid="console-overlay"] button')?.getAttribute('aria-disabled') === 'false', null, { timeout: 60_000 });
  undo();
  await overlay.getByRole('button', { name: 'Reconnect' }).click();
  await waitForScreenConnected();
  await waitForGuestOnCanvas();
});
