import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { vmFolder } from '../../helper/src/vm-library/library-paths';
import { agentGuest, agentGuestRequest, attachAgentGuestDisk } from '../../helper/test/support/agent-guest';
import { waitForMatch, waitForText } from '../../helper/test/support/wait';
import { screenshot } from './support/browser';
import { waitForScreenConnected, watchScreen } from './support/console-screen';
import { typeIntoGuest } from './support/guest-serial';
import { uiSuite } from './support/ui-suite';

// The guest's sound in the page, end to end: the Debian agent guest (ALSA, sox) plays a tone on
// QEMU's HDA card, QEMU hands it to SPICE (-audiodev spice), the helper bridges the playback
// channel, and the page's player measures it. Then the other way: Chromium's fake microphone
// (a beep) goes out on the record channel and the guest records it with arecord.

// Chromium's fake capture device, and its permission prompt answered yes: what a person
// clicking Allow does.
const ui = uiSuite({}, ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);

// The agent guest booted by the helper (helper/test/support/agent-guest.ts): HDA card, QXL,
// its root disk an overlay on the cached image.
async function createAgentVm(name: string): Promise<string> {
  const api = await ui.helper.api();
  const { config } = await api.call('vm.create', agentGuestRequest(name));
  await attachAgentGuestDisk(vmFolder(ui.helper.home, config.id), config.disks[0]!.file);
  return config.id;
}

// Types a command on the serial shell and waits for the line it prints when done.
async function run(id: string, command: string, done: string, timeoutMs = 120_000): Promise<string> {
  await typeIntoGuest(ui.helper, id, `${command}; echo ${done}-$?`);
  await waitForMatch(ui.helper.serialLog(id), new RegExp(`${done}-\\d`), timeoutMs);
  return readFileSync(ui.helper.serialLog(id), 'utf8');
}

async function meter(page: Page): Promise<{ level: number; peak: number; blocks: number; bytes: number; micLevel: number; queuedMs: number; guestVolume: string; guestMuted: string }> {
  return page.getByTestId('console-sound-level').evaluate((el: HTMLElement) => ({
    level: Number(el.dataset.level),
    peak: Number(el.dataset.peak),
    blocks: Number(el.dataset.blocks),
    bytes: Number(el.dataset.bytes),
    micLevel: Number(el.dataset.micLevel ?? 0),
    queuedMs: Number(el.dataset.queuedMs ?? 0),
    guestVolume: el.dataset.guestVolume ?? '',
    guestMuted: el.dataset.guestMuted ?? '',
  }));
}

test('a tone the guest plays reaches the page on the playback channel and its level rises above silence; the microphone reaches the guest', async (t) => {
  const g = agentGuest();
  const { helper } = ui;
  const api = await helper.api();
  const id = await createAgentVm('Sound guest');
  // QEMU outlives the helper by design: a failing test must still stop its guest.
  t.after(() => api.call('vm.kill', { id }).catch(() => undefined));
  await api.call('vm.start', { id });
  await waitForText(helper.serialLog(id), g.marker, 300_000);
  const { page } = await ui.pair();
  watchScreen(page, helper.log);
  await page.goto(`${helper.origin}/console?vm=${encodeURIComponent(id)}`);
  await waitForScreenConnected(page);
  await page.locator('[data-testid="console-sound"][data-output="ready"]').waitFor();

  // Silence so far: nothing played, nothing measured.
  const before = await meter(page);
  assert.deepEqual([before.level, before.peak, before.blocks], [0, 0, 0], 'no sound before the guest plays');

  // The guest's mixer all the way up (the driver's defaults vary), then a 3 s, 440 Hz tone at
  // half scale (RMS 0.35).
  const log = await run(
    id,
    'amixer -q sset Master 100% unmute; amixer -q sset PCM 100% unmute; ' +
      'sox -n -r 48000 -c 2 -b 16 /tmp/tone.wav synth 3 sine 440 vol 0.5 && aplay -q /tmp/tone.wav',
    'TONE',
    240_000,
  );
  assert.match(log, /TONE-0/, `aplay failed:\n${log.slice(-2000)}`);

  // The page received the tone's PCM and measured it: the loudest block is the tone's level
  // (RMS 0.35 at half scale), far above silence.
  const seen = await meter(page);
  await screenshot(page, 'console-sound-played');
  assert.ok(seen.blocks >= 100 && seen.bytes >= 100 * 1920, `the playback channel carried the tone: ${JSON.stringify(seen)}`);
  assert.ok(seen.peak > 0.2 && seen.peak < 0.5, `the level rose above silence to the tone's: ${JSON.stringify(seen)}`);
  console.log(`# sound: ${seen.blocks} blocks, ${seen.bytes} bytes, peak level ${seen.peak.toFixed(3)}`);

  // The microphone: off by default; on, Chromium's fake device (a beep) goes to the guest.
  const mic = page.getByRole('group', { name: 'Sound' }).getByRole('button', { name: 'Microphone' });
  assert.equal(await mic.getAttribute('aria-pressed'), 'false');
  await mic.click();
  await page.locator('[data-testid="console-sound"][data-mic="on"]').waitFor();
  const recorded = await run(
    id,
    'arecord -q -d 4 -f S16_LE -r 48000 -c 2 /tmp/mic.wav && sox /tmp/mic.wav -n stat 2>&1 | sed -n "s/^Maximum amplitude: */MIC-PEAK /p"',
    'MIC',
  );
  const peakLine = /MIC-PEAK ([0-9.]+)/.exec(recorded);
  assert.ok(peakLine, `arecord/sox printed no level:\n${recorded.slice(-2000)}`);
  const micPeak = Number(peakLine[1]);
  console.log(`# microphone: the guest recorded a peak of ${micPeak}`);
  assert.ok(micPeak > 0.05, `the guest heard the browser's microphone: peak ${micPeak}`);

  await page.goto(`${helper.origin}/`);
});
