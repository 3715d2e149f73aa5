import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import { isAlive } from '../src/qemu-process/process-control';
import { vmFolder } from '../src/vm-library/library-paths';
import { agentGuest, agentGuestRequest, attachAgentGuestDisk } from './support/agent-guest';
import { typeInGuest } from './support/guest-input';
import { waitForMatch, waitForPrompt, waitForText } from './support/wait';

const guest = agentGuest();
const BOOT_TIMEOUT_MS = 240_000;

// The helper's own agent watch holds the VM's guest-agent channel (QEMU serves one client), so
// the agent is asked through it, retried until qemu-ga in the booting guest answers.
async function guestInfoWhenConnected(engine: VmEngine, id: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const info = await engine.guest.guestInfo(id, false);
      if (info.state === 'connected') return info;
      last = info.state;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`the guest agent did not answer within ${timeoutMs / 1000} s: ${String(last)}`);
}

describe('the agent test guest, booted through the engine under TCG', () => {
  let home: string;
  let engine: VmEngine;
  let id: string;
  let serialLog: string;
  let pid: number | undefined;
  let seq = 100;
  const baseBefore = stat(guest.rootImage);

  // Runs a shell command on the serial console and returns its output, lines joined by spaces.
  // The printf format keeps the result's tag out of the typed line's echo: only output matches.
  async function inGuest(command: string): Promise<string> {
    const n = ++seq;
    typeInGuest(engine, id, `printf 'out-%s:<<%s>>\\n' $((${n}+0)) "$({ ${command}; } 2>&1 | tr '\\n' ' ')"`);
    const result = new RegExp(`out-${n}:<<(.*?)>>`);
    return result.exec(await waitForMatch(serialLog, result, 60_000))![1]!.trim();
  }

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'openutm-agent-'));
    engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: lazyHostFacts(), acceleratorOverride: 'tcg' });
    const { config } = await engine.create(agentGuestRequest('agent-guest'));
    id = config.id;
    await attachAgentGuestDisk(vmFolder(engine.library.root, id), config.disks[0]!.file);
    serialLog = engine.paths(id).serialLog;
  });
  after(async () => {
    await engine?.kill(id).catch(() => undefined);
    if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
    await engine?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  test('boots to the ready marker and a root shell on the serial port', async (t) => {
    const started = Date.now();
    const status = await engine.start(id);
    pid = status.pid ?? undefined;
    assert.equal(status.state, 'running');
    const log = await waitForText(serialLog, guest.marker, BOOT_TIMEOUT_MS);
    const seconds = (Date.now() - started) / 1000;
    t.diagnostic(`agent guest: ready marker ${seconds.toFixed(1)} s after start (TCG)`);
    // The init's status line comes right before the marker.
    assert.match(log, /agent-guest: x=up drm=qxl vdagent=up qemu-ga=up sound=card\d+:\S+/);
    await waitForPrompt(serialLog, guest.marker, guest.prompt, 60_000);
    assert.equal(await inGuest('hostname'), guest.hostname);
  });

  test('X runs on the QXL adapter, with RandR', async () => {
    assert.match(await inGuest('pgrep -x Xorg'), /^\d+$/, 'Xorg runs');
    // The X log names the driver of screen 0; qxl(0) lines come only from the QXL driver.
    assert.match(await inGuest(`grep -m1 -o 'qxl(0): [A-Za-z ]*' /var/log/Xorg.0.log`), /^qxl\(0\): /);
    assert.match(await inGuest(`xrandr -d ${guest.display} --current | head -n1`), /^Screen 0: minimum \d+ x \d+, current \d+ x \d+/);
    assert.match(await inGuest('xrandr --current | grep -c " connected"'), /^[1-9]/, 'a connected output');
  });

  test('spice-vdagentd and spice-vdagent run, the agent inside X', async () => {
    assert.match(await inGuest('pgrep -x spice-vdagentd'), /^\d+$/);
    assert.match(await inGuest('pgrep -x spice-vdagent'), /^\d+$/);
    // The session agent is connected to the display (it holds the X socket open).
    assert.match(await inGuest('tr "\\0" "\\n" </proc/$(pgrep -x spice-vdagent)/environ | grep ^DISPLAY='), new RegExp(`^DISPLAY=${guest.display}$`));
    assert.match(await inGuest('echo clip-ok | xclip -selection clipboard -i >/dev/null 2>&1 && xclip -selection clipboard -o'), /^clip-ok$/);
    // Files dropped on the console have a folder to go to (without one the agent refuses them).
    assert.match(await inGuest('tr "\\0" " " </proc/$(pgrep -x spice-vdagent)/cmdline'), / -f \/root\/Downloads /);
    assert.equal(await inGuest('test -d /root/Downloads && echo folder'), 'folder');
  });

  test('qemu-ga runs and answers on the VM\'s guest-agent channel', async () => {
    assert.match(await inGuest('pgrep -x qemu-ga'), /^\d+$/);
    const info = await guestInfoWhenConnected(engine, id);
    assert.equal(info.hostname, guest.hostname, 'guest-get-host-name through the helper');
  });

  test('aplay -l lists the HDA sound card', async () => {
    assert.match(await inGuest('aplay -l'), /card \d+: \w+ \[HDA Intel\], device \d+:/);
  });

  test('the power button powers the guest off by itself (acpid runs its poweroff)', async () => {
    const status = await engine.stop(id, { timeoutMs: 120_000 });
    assert.equal(status.state, 'stopped');
    assert.equal(status.lastShutdown, 'guest-shutdown', 'the guest shut down, not a QEMU quit after the timeout');
    assert.equal(pid !== undefined && isAlive(pid), false);
  });

  test('the cached root image was not written', async () => {
    const before = await baseBefore;
    const now = await stat(guest.rootImage);
    assert.equal(now.mtimeMs, before.mtimeMs);
    assert.equal(now.size, before.size);
  });
});
