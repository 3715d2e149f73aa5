// `npm run bench` (typing part): how fast vm.type presses keys into the busybox guest's screen
// console at its default pacing, and whether any are lost, next to unpaced typing (each key
// sent as soon as QEMU answered the last) measured in the same run.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import { GuestTypist, TYPING_DEFAULTS } from '../src/keyboard/guest-typist';
import { kernelGuestRequest, testGuest } from '../test/support/test-guest';
import { typeInGuest } from '../test/support/guest-input';
import { waitForPrompt, waitForText } from '../test/support/wait';
import { report } from './stats';

const PRINTABLE_ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
// Ten times every printable character: 950, well under the tty's 4095-character line.
const TEXT = PRINTABLE_ASCII.repeat(10);

const home = await mkdtemp(path.join(os.tmpdir(), 'openutm-bench-typing-'));
const engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: lazyHostFacts(), acceleratorOverride: 'tcg' });
let id = '';
try {
  id = (await engine.create(kernelGuestRequest('bench-typing', { network: { mode: 'none' } }))).config.id;
  const serialLog = engine.paths(id).serialLog;
  await engine.start(id);
  await waitForPrompt(serialLog, testGuest().marker, '# ', 120_000);
  typeInGuest(engine, id, 'until ls -l /proc/[0-9]*/fd/0 2>/dev/null | grep -q tty1; do sleep 0.2; done; echo tty1-$((40+2))-up');
  await waitForText(serialLog, 'tty1-42-up', 60_000);

  // One run: a tty1 command announces itself on the serial port, then copies the next line.
  const run = async (tag: string, keyDelayMs: number) => {
    const typist = new GuestTypist({ engine, emit: () => undefined, keyDelayMs });
    await typist.type({ id, text: `echo ${tag}-$((6*7)) >/dev/ttyS0; head -n1 >/dev/ttyS0\n`, via: 'keyboard' });
    await waitForText(serialLog, `${tag}-42\r\n`, 60_000);
    const t0 = performance.now();
    await typist.type({ id, text: `${TEXT}\n`, via: 'keyboard' });
    const msPerChar = (performance.now() - t0) / (TEXT.length + 1);
    // What head read: the line after the announcement, once its end has come (or 10 s passed).
    let after = '';
    for (let i = 0; i < 50 && !after.includes('\r\n'); i++) {
      after = (await readFile(serialLog, 'utf8')).split(`${tag}-42\r\n`).pop() ?? '';
      if (!after.includes('\r\n')) await new Promise((r) => setTimeout(r, 200));
    }
    const line = after.split('\r\n')[0] ?? '';
    if (process.env.DEBUG_TYPING && line !== TEXT) {
      let i = 0;
      while (line[i] === TEXT[i]) i++;
      process.stderr.write(`${tag}: differs at ${i}: typed ${JSON.stringify(TEXT.slice(i - 5, i + 10))} read ${JSON.stringify(line.slice(i - 5, i + 10))}\n`);
    }
    return { msPerChar, lost: TEXT.length - line.length, intact: line === TEXT };
  };

  const unpaced = await run('nodelay', 0);
  const paced = await run('paced', TYPING_DEFAULTS.keyDelayMs);
  const rate = (r: { msPerChar: number }) => `${(1000 / r.msPerChar).toFixed(0)} char/s`;
  report('vm.type keys, default pacing', rate(paced), `${rate(unpaced)} unpaced`, '≥ 20 char/s', 1000 / paced.msPerChar >= 20);
  report('vm.type keys lost of 950 (default pacing)', String(paced.lost), `${unpaced.lost} unpaced`, '0 and intact', paced.lost === 0 && paced.intact);
} finally {
  if (id) await engine.kill(id).catch(() => undefined);
  await engine.close();
  await rm(home, { recursive: true, force: true });
}
