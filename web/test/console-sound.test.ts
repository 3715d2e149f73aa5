import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { screenshot } from './support/browser';
import { waitForScreenConnected, watchScreen } from './support/console-screen';
import { uiSuite } from './support/ui-suite';

// The console's sound controls against the real helper, QEMU (-audiodev spice) and Chromium,
// with the busybox test guest (it has no sound driver: what it proves is the channels and the
// controls; console-sound-agent.test.ts has a guest that plays and records).

const ui = uiSuite();

// The SPICE link messages the page sent (the first frame on each channel socket, "REDQ"):
// channel type and its one channel-capability word.
function spiceLinks(page: Page): Array<{ type: number; caps: number }> {
  const links: Array<{ type: number; caps: number }> = [];
  page.on('websocket', (ws) => {
    let first = true;
    ws.on('framesent', ({ payload }) => {
      if (!first || typeof payload === 'string') return;
      first = false;
      if (payload.length >= 42 && payload.subarray(0, 4).toString('latin1') === 'REDQ') {
        const numCommon = payload.readUInt32LE(22);
        links.push({ type: payload.readUInt8(20), caps: payload.readUInt32LE(16 + 18 + 4 * numCommon) });
      }
    });
  });
  return links;
}

async function openConsole(page: Page, id: string) {
  await page.goto(`${ui.helper.origin}/console?vm=${encodeURIComponent(id)}`);
  await waitForScreenConnected(page);
}

test('a VM with a sound card: the page links SPICE playback asking for raw PCM, and record; volume and mute are kept per VM', async (t) => {
  const { helper } = ui;
  const api = await helper.api();
  const id = await helper.createKernelGuest('Sound card', { sound: { enabled: true, device: 'intel-hda' } });
  const silent = await helper.createKernelGuest('No sound card');
  // QEMU outlives the helper by design: a failing test must still stop its guests.
  t.after(() => Promise.all([id, silent].map((vm) => api.call('vm.kill', { id: vm }).catch(() => undefined))));
  await api.call('vm.start', { id });
  const { page } = await ui.pair();
  watchScreen(page, helper.log);
  const links = spiceLinks(page);
  await openConsole(page, id);

  const group = page.getByRole('group', { name: 'Sound' });
  await page.locator('[data-testid="console-sound"][data-output="ready"]').waitFor();
  // Playback with VOLUME (bit 1) and without OPUS (bit 3): the server then sends raw PCM.
  // Each channel is its own WebSocket, and their links go out in whatever order the helper
  // accepts them (one CI run saw record linked before playback, inputs and cursor).
  const linked = (type: number) => links.some((l) => l.type === type);
  for (let i = 0; i < 400 && !(linked(5) && linked(6)); i++) await page.waitForTimeout(50);
  const playback = links.find((l) => l.type === 5);
  assert.ok(playback, `no playback channel link among ${JSON.stringify(links)}`);
  assert.equal(playback.caps, 1 << 1, 'playback asks for the guest volume and raw PCM, not Opus');
  assert.ok(linked(6), 'the record channel is linked too');

  const mute = group.getByRole('button', { name: 'Mute' });
  const volume = group.getByRole('slider', { name: 'Volume' });
  assert.equal(await mute.getAttribute('aria-disabled'), 'false');
  assert.equal(await mute.getAttribute('aria-pressed'), 'false');
  assert.equal(await volume.inputValue(), '80');
  // The microphone is off until asked for.
  const mic = group.getByRole('button', { name: 'Microphone' });
  assert.equal(await mic.getAttribute('aria-pressed'), 'false');
  assert.equal(await mic.getAttribute('aria-disabled'), 'false');

  await volume.fill('35');
  await mute.click();
  assert.equal(await mute.getAttribute('aria-pressed'), 'true');
  await screenshot(page, 'console-sound-controls');

  // Kept across a reload, for this VM only.
  await page.reload();
  await waitForScreenConnected(page);
  await page.locator('[data-testid="console-sound"][data-output="ready"]').waitFor();
  assert.equal(await group.getByRole('button', { name: 'Mute' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await group.getByRole('slider', { name: 'Volume' }).inputValue(), '35');

  // A VM without a sound card: the controls stay in place, dimmed, and say why. (One guest at
  // a time: the machine's cores are shared.)
  await page.goto(`${helper.origin}/`);
  await api.call('vm.kill', { id });
  await api.call('vm.start', { id: silent });
  await openConsole(page, silent);
  await page.locator('[data-testid="console-sound"][data-output="absent"]').waitFor();
  const dimmed = group.getByRole('button', { name: 'Mute' });
  assert.equal(await dimmed.getAttribute('aria-disabled'), 'true');
  assert.match((await dimmed.getAttribute('title')) ?? '', /no sound card/);
  assert.equal(await dimmed.getAttribute('aria-pressed'), 'false', 'the other VM’s mute is not this one’s');
  assert.equal(await group.getByRole('slider', { name: 'Volume' }).isDisabled(), true);
  assert.equal(await group.getByRole('button', { name: 'Microphone' }).getAttribute('aria-disabled'), 'true');

  await page.goto(`${helper.origin}/`);
});
