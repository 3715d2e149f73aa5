import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OpenUtmError, type JobProgress, type KeyboardLayout } from '@openutm/shared';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import { GuestTypist } from '../src/keyboard/guest-typist';
import { kernelGuestRequest, testGuest } from './support/test-guest';
import { typeInGuest } from './support/guest-input';
import { waitForPrompt, waitForText } from './support/wait';

// Text typed as keystrokes into the busybox guest's screen console (tty1), through QMP, with
// the guest on the US keymap and then on the German one: every printable ASCII character must
// reach the guest intact. The tty1 shell writes what it reads to the serial port, where the
// test reads it back.

const PRINTABLE_ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

let home: string;
let engine: VmEngine;
let typist: GuestTypist;
let vmId: string;
let serialLog: string;
const progress: JobProgress[] = [];

before(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openutm-typing-'));
  engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: lazyHostFacts(), acceleratorOverride: 'tcg' });
  typist = new GuestTypist({ engine, emit: (p) => progress.push(p) });
  const { config } = await engine.create(kernelGuestRequest('typing', { network: { mode: 'none' } }));
  vmId = config.id;
  serialLog = engine.paths(vmId).serialLog;
  await engine.start(vmId);
  await waitForPrompt(serialLog, testGuest().marker, '# ', 120_000);
  // Keys reach tty1 only once its shell holds it open; the serial shell says when it does.
  typeInGuest(engine, vmId, 'until ls -l /proc/[0-9]*/fd/0 2>/dev/null | grep -q tty1; do sleep 0.2; done; echo tty1-$((40+2))-up');
  await waitForText(serialLog, 'tty1-42-up', 60_000);
});

after(async () => {
  await engine.kill(vmId).catch(() => undefined);
  await engine.close();
  await rm(home, { recursive: true, force: true });
});

// Types a command on tty1 that announces itself on the serial port and then copies the next
// line it reads there; the text is typed once the announcement shows (the shell has left its
// line editor by then, so the text goes to `head` whole), and must come back byte for byte.
async function typeAndReadBack(layout: KeyboardLayout, tag: string, text: string): Promise<void> {
  await typist.type({ id: vmId, text: `echo ${tag}-$((6*7)) >/dev/ttyS0; head -n1 >/dev/ttyS0\n`, via: 'keyboard' });
  await waitForText(serialLog, `${tag}-42\r\n`, 60_000);
  const job = `${layout}-text`;
  const result = await typist.type({ id: vmId, text: `${text}\n`, via: 'keyboard', job });
  assert.deepEqual(result, { typed: text.length + 1, via: 'keyboard' });
  const log = await waitForText(serialLog, `${tag}-42\r\n${text}\r\n`, 60_000).catch(async (e: Error) => {
    const got = (await readFile(serialLog, 'utf8')).split(`${tag}-42\r\n`).pop()?.split('\r\n')[0];
    throw new Error(`${layout}: typed ${JSON.stringify(text)}\n  the guest read ${JSON.stringify(got)}\n${e.message.split('\n')[0]}`);
  });
  assert.ok(log.includes(text));
  const events = progress.filter((p) => p.job === job);
  assert.equal(events.at(-1)?.state, 'done');
  assert.ok(events.every((p) => p.kind === 'type' && p.vm === vmId));
  assert.ok(events.filter((p) => p.state === 'running').length > 10, 'progress moves while typing');
}

test('US layout: every printable ASCII character arrives intact', async () => {
  assert.equal((await engine.get(vmId)).config.keyboardLayout, 'us');
  await typeAndReadBack('us', 'us-keys', PRINTABLE_ASCII);
});

test('German layout: the same text arrives intact through QWERTZ keys and dead keys', async () => {
  typeInGuest(engine, vmId, 'loadkmap < /etc/openutm/keymaps/de.bmap && echo de-keymap-$((40+2))-loaded');
  await waitForText(serialLog, 'de-keymap-42-loaded', 60_000);
  // Live: the layout matters only when typing, so a running VM takes it.
  await engine.edit(vmId, { keyboardLayout: 'de' });
  await typeAndReadBack('de', 'de-keys', PRINTABLE_ASCII);
});

test('a text the layout cannot type is refused whole, naming each character', async () => {
  const before = (await readFile(serialLog, 'utf8')).length;
  await assert.rejects(typist.type({ id: vmId, text: 'naïve café €5 😀', via: 'keyboard' }), (e: unknown) => {
    assert.ok(e instanceof OpenUtmError);
    assert.equal(e.code, 'UNTYPABLE_TEXT');
    assert.match(e.message, /German keyboard layout cannot type 3 characters/);
    assert.match(e.message, /U\+00EF 'ï', U\+00E9 'é', U\+1F600 '😀'/);
    return true;
  });
  // € is AltGr+E on a German keyboard: not among the refused. Nothing at all was typed.
  assert.equal((await readFile(serialLog, 'utf8')).length, before);
});

test('serial: the text goes as bytes to the serial shell, Enter as a carriage return', async () => {
  const result = await typist.type({ id: vmId, text: `echo 'serial ${'x'.repeat(3)}' | tr x y\n`, via: 'serial' });
  assert.deepEqual(result, { typed: 27, via: 'serial' });
  await waitForText(serialLog, 'serial yyy\r\n', 60_000);
});

test('cancel stops typing after the current key; the call fails with CANCELLED', async () => {
  // Its outcome is held at once, so an early failure is reported below, not as unhandled.
  const typing = typist.type({ id: vmId, text: 'x'.repeat(400), via: 'keyboard', job: 'cancelled' }).then(
    (r) => r,
    (e: unknown) => e,
  );
  await assert.rejects(typist.type({ id: vmId, text: 'y', via: 'keyboard' }), /already being typed into/);
  while (!progress.some((p) => p.job === 'cancelled' && p.done > 0)) await new Promise((r) => setTimeout(r, 20));
  assert.equal(typist.cancel(vmId), true);
  const outcome = await typing;
  assert.ok(outcome instanceof OpenUtmError, `typing ended with ${JSON.stringify(outcome)}`);
  assert.equal(outcome.code, 'CANCELLED');
  assert.match(outcome.message, /cancelled after \d+ of 400/);
  assert.equal(typist.cancel(vmId), false);
  assert.equal(progress.filter((p) => p.job === 'cancelled').at(-1)?.error?.code, 'CANCELLED');
});
