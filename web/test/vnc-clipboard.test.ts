import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, screenshot, type ConsoleErrors } from './support/browser';
import { ensureWebBuilt } from './support/build-web';
import { guestValue } from './support/guest-shell';
import { RealHelper } from './support/real-helper';
import { startAgentGuest } from './support/agent-vm';
import { openClipboardConsole, pageClipboardUntil, sendTextToGuest, sha256 } from './support/shared-clipboard';

// The shared clipboard of a VNC console: QEMU's own vdagent (the qemu-vdagent chardev on the
// com.redhat.spice.0 port) talks to spice-vdagent in the agent guest, QEMU's VNC server relays
// it as the extended clipboard, and noVNC in the page takes it. Real QEMU under TCG, the agent
// guest (X on QXL, shown over VNC), real Chromium with the clipboard allowed.

let helper: RealHelper;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let consoleErrors: ConsoleErrors;
let vm: string;

const inGuest = (script: string, timeoutMs?: number) => guestValue(helper, vm, `export DISPLAY=:0; ${script}`, timeoutMs);

before(async () => {
  ensureWebBuilt();
  helper = await RealHelper.start();
  browser = await launchChromium();
  vm = await startAgentGuest(helper, 'Agent guest on VNC', { display: { type: 'vnc', device: 'qxl-vga' } });
});

after(async () => {
  await browser?.close();
  await helper?.stop();
});

async function openConsole(): Promise<void> {
  ({ context, page, consoleErrors } = await openClipboardConsole(browser, helper, vm));
  assert.equal(await page.getByTestId('console-screen').getAttribute('data-protocol'), 'vnc');
  await page.locator('[data-testid="console-clipboard"][data-shared="true"]').waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('console-clipboard').textContent(), 'Clipboard shared');
  assert.equal((await (await helper.api()).call('vm.get', { id: vm })).status.spiceAgentOpen, true);
}

afterEach(async () => {
  await context?.close();
  if (consoleErrors) assert.deepEqual(consoleErrors.errors, [], 'the page logged errors');
});

// Sends `text` and checks the guest's clipboard holds exactly its bytes; if not, says how many
// bytes it holds and how they end (a CRLF or a NUL shows there).
async function pasteInGuest(text: string): Promise<void> {
  if ((await sendTextToGuest(page, inGuest, text)) === sha256(text)) return;
  const held = await inGuest("v=$(timeout 20 xclip -o -selection clipboard | wc -c)_bytes_ending_$(timeout 20 xclip -o -selection clipboard | od -An -tx1 | tr -d ' \\n' | tail -c 48)");
  assert.fail(`the guest's clipboard does not hold the ${Buffer.byteLength(text)} bytes sent; it holds ${held}`);
}

test('VNC clipboard: text copied in the guest lands in the page, text copied in the page pastes in the guest (non-ASCII, lines)', async () => {
  await openConsole();
  const token = randomBytes(4).toString('hex');
  // "Grüße ✓ <token>" and a second line, in octal escapes: the serial line carries ASCII only.
  await inGuest(`printf 'Gr\\303\\274\\303\\237e \\342\\234\\223 %s\\nline 2' ${token} | xclip -i -selection clipboard; v=copied`);
  assert.equal(await pageClipboardUntil(page, (t) => t.includes(token)), `Grüße ✓ ${token}\nline 2`);

  // The guest gets exactly these bytes: LF line ends and no NUL after the text.
  const fromHost = `Ünïcødé ✓ 😀 — ${randomBytes(4).toString('hex')}\nzweite Zeile`;
  await pasteInGuest(fromHost);
  await screenshot(page, 'vnc-clipboard');
});

// A text of exactly `bytes` UTF-8 bytes, with characters of 1 to 4 bytes and line ends.
function textOfBytes(bytes: number): string {
  const block = `ä€😀x ${randomBytes(2).toString('hex')}\n`;
  const whole = block.repeat(Math.floor(bytes / Buffer.byteLength(block)));
  return whole + 'y'.repeat(bytes - Buffer.byteLength(whole));
}

test("VNC clipboard: 1 MiB from the guest, and the most QEMU's vdagent takes from the page (1 MiB - 28 bytes); more is refused with a reason", async () => {
  await openConsole();
  // Guest to page: 45591 lines of "Grüße ✓ 0123456789" (23 bytes each, 1 MiB and a little).
  const guestSha = await inGuest(
    "line=$(printf 'Gr\\303\\274\\303\\237e \\342\\234\\223 0123456789'); yes \"$line\" | head -n 45591 >/tmp/big-out; xclip -i -selection clipboard </tmp/big-out; v=$(sha256sum </tmp/big-out | cut -c1-64)",
  );
  const got = await pageClipboardUntil(page, (t) => Buffer.byteLength(t) >= 45591 * 23);
  assert.equal(Buffer.byteLength(got), 45591 * 23);
  assert.equal(sha256(got), guestSha);

  // Page to guest: QEMU's vdagent drops messages over 1 MiB, its header and two words included.
  const limit = 1024 * 1024 - 28;
  const big = textOfBytes(limit);
  assert.equal(Buffer.byteLength(big), limit);
  await pasteInGuest(big);

  // One byte more: the page says why and sends nothing, so the guest keeps the last text.
  await page.evaluate((t) => navigator.clipboard.writeText(t), textOfBytes(limit + 1));
  await page.getByRole('button', { name: 'Send clipboard' }).click();
  await page.locator('[data-testid="console-clipboard"][data-shared="false"]').waitFor();
  assert.match((await page.getByTestId('console-clipboard').textContent()) ?? '', new RegExp(`${limit + 1} bytes; a VNC console passes at most ${limit}`));
  assert.equal(await inGuest('v=$(timeout 20 xclip -o -selection clipboard | sha256sum | cut -c1-64)'), sha256(big));
});

test('a VNC VM without the clipboard channel (SPICE agent off) says so in the toolbar, and Send clipboard says why it is off', async () => {
  const api = await helper.api();
  // The agent guest is done with: one guest at a time on the shared cores.
  await api.call('vm.kill', { id: vm });
  const id = await helper.createKernelGuest('Tux VNC no agent', { display: { type: 'vnc' }, sharing: { spiceAgent: false, guestAgent: false } });
  await api.call('vm.start', { id });
  await helper.waitForGuestShell(id);
  vm = id;
  assert.equal((await api.call('vm.get', { id })).status.spiceAgentOpen, null, 'no channel: nothing to be open');
  ({ context, page, consoleErrors } = await openClipboardConsole(browser, helper, id, { clipboard: false }));
  const state = page.locator('[data-testid="console-clipboard"][data-shared="false"]');
  await state.waitFor();
  assert.match((await state.textContent()) ?? '', /no clipboard channel for VNC: turn on the SPICE agent/);
  const send = page.getByRole('button', { name: 'Send clipboard' });
  assert.equal(await send.getAttribute('aria-disabled'), 'true');
  assert.match((await send.getAttribute('title')) ?? '', /qemu-vdagent/);
  await api.call('vm.kill', { id });
});

// The busybox guest loads no virtio_console driver, so the SPICE agent's port stays closed: the
// channel is on QEMU's side only, which VNC alone cannot tell from a guest with an agent.
test('a VNC VM whose guest runs no spice-vdagent (channel there, nobody opens it) says "No agent in the guest", and Send clipboard says why it is off', async () => {
  const api = await helper.api();
  await api.call('vm.kill', { id: vm }).catch(() => undefined);
  const id = await helper.createKernelGuest('Tux VNC agent channel', { display: { type: 'vnc' }, sharing: { spiceAgent: true, guestAgent: false } });
  await api.call('vm.start', { id });
  await helper.waitForGuestShell(id);
  vm = id;
  assert.equal((await api.call('vm.get', { id })).status.spiceAgentOpen, false, "the helper should see the agent's port closed");
  ({ context, page, consoleErrors } = await openClipboardConsole(browser, helper, id, { clipboard: false }));
  const state = page.locator('[data-testid="console-clipboard"][data-shared="false"]');
  await state.waitFor();
  assert.equal(await state.textContent(), 'No agent in the guest: install spice-vdagent');
  const send = page.getByRole('button', { name: 'Send clipboard' });
  assert.equal(await send.getAttribute('aria-disabled'), 'true');
  assert.match((await send.getAttribute('title')) ?? '', /no agent in the guest: install spice-vdagent/);
  await screenshot(page, 'vnc-no-agent');

  await api.call('vm.kill', { id });
});
