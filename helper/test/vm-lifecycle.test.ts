import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { VmState } from '@openutm/shared';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import { isAlive } from '../src/qemu-process/process-control';
import { vmFolder } from '../src/vm-library/library-paths';
import { kernelGuestRequest, testGuest } from './support/test-guest';
import { typeInGuest } from './support/guest-input';
import { waitForCount, waitForMatch, waitForPrompt, waitForText } from './support/wait';

const guest = testGuest();
const facts = lazyHostFacts();
const homes: string[] = [];

async function newHome(label = 'lib'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `openutm-${label}-`));
  homes.push(dir);
  return dir;
}

function openEngine(home: string): Promise<VmEngine> {
  return VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: facts, acceleratorOverride: 'tcg' });
}

const kernelGuest = kernelGuestRequest;

function nextState(engine: VmEngine, id: string, want: VmState): Promise<void> {
  return new Promise((resolve) => {
    const on = (s: { id: string; state: VmState }) => {
      if (s.id === id && s.state === want) {
        engine.off('state', on);
        resolve();
      }
    };
    engine.on('state', on);
  });
}

after(async () => {
  for (const home of homes) await rm(home, { recursive: true, force: true });
});

describe('a VM booted from the test guest kernel', () => {
  let home: string;
  let engine: VmEngine;
  let id: string;
  const qemuPids = new Set<number>();

  before(async () => {
    home = await newHome();
    engine = await openEngine(home);
    id = (await engine.create(kernelGuest('lifecycle'))).config.id;
  });
  after(async () => {
    await engine.kill(id).catch(() => undefined);
    // A test that failed while no engine was open leaves its QEMU behind; it must not outlive the file.
    for (const pid of qemuPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    await engine.close();
  });

  test('starts, reaches the ready marker on the serial port, and QMP says running', async () => {
    const status = await engine.start(id);
    assert.equal(status.state, 'running');
    assert.ok(status.pid && isAlive(status.pid), 'QEMU is alive');
    await waitForText(engine.paths(id).serialLog, guest.marker, 90_000);
    assert.deepEqual(await engine.queryStatus(id), { status: 'running', running: true });
  });

  test('pause and resume change query-status', async () => {
    assert.equal((await engine.pause(id)).state, 'paused');
    assert.deepEqual(await engine.queryStatus(id), { status: 'paused', running: false });
    assert.equal((await engine.resume(id)).state, 'running');
    assert.deepEqual(await engine.queryStatus(id), { status: 'running', running: true });
  });

  test('reset reboots the guest: the ready marker appears again', async () => {
    assert.equal((await engine.reset(id)).state, 'running');
    await waitForCount(engine.paths(id).serialLog, guest.marker, 2, 90_000);
  });

  test('editing hardware is refused while running, renaming is not', async () => {
    await assert.rejects(engine.edit(id, { system: { memoryMiB: 512 } }), { code: 'INVALID_STATE' });
    const renamed = await engine.edit(id, { name: 'lifecycle, renamed' });
    assert.equal(renamed.config.name, 'lifecycle, renamed');
    assert.equal(renamed.config.system.memoryMiB, 256);
  });

  test('an ISO can be inserted and ejected while the VM runs', async () => {
    const iso = path.join(home, 'live, disc.iso');
    await copyFile(guest.iso, iso);
    await engine.edit(id, { media: { cd0: iso } });
    assert.deepEqual((await engine.mediaStatus(id)).map((m) => m.inserted), [iso]);
    assert.equal((await engine.get(id)).config.removable[0]!.iso, iso);
    await engine.edit(id, { media: { cd0: null } });
    assert.deepEqual((await engine.mediaStatus(id)).map((m) => m.inserted), [null]);
    await assert.rejects(engine.edit(id, { media: { cd0: path.join(home, 'missing.iso') } }), { code: 'NOT_FOUND' });
  });

  test('ACPI power-down ends in stopped with a clean exit', async () => {
    const pid = (await engine.get(id)).status.pid!;
    const status = await engine.stop(id, { timeoutMs: 60_000 });
    assert.equal(status.state, 'stopped');
    assert.equal(status.lastShutdown, 'guest-shutdown', 'the guest powered itself off (not forced)');
    assert.equal(status.crash, null);
    assert.equal(isAlive(pid), false);
    assert.equal(existsSync(engine.paths(id).dir), false, 'runtime files are cleaned up');
  });

  test('kill -9 of QEMU ends in crashed, with the log lines kept across a helper restart', async () => {
    const { pid } = await engine.start(id);
    await waitForText(engine.paths(id).serialLog, guest.marker, 90_000);
    const crashed = nextState(engine, id, 'crashed');
    process.kill(pid!, 'SIGKILL');
    await crashed;
    const { status } = await engine.get(id);
    assert.equal(status.state, 'crashed');
    assert.match(status.crash!.reason, /unexpectedly/);
    assert.ok(status.crash!.logTail.some((l) => l.includes(guest.marker)), 'the serial log tail is kept');
    await engine.close();
    engine = await openEngine(home);
    const again = await engine.get(id);
    assert.equal(again.status.state, 'crashed');
    assert.deepEqual(again.status.crash?.logTail, status.crash!.logTail);
  });

  test('a restarted helper re-attaches to a running VM and can still stop it', async () => {
    const { pid } = await engine.start(id);
    qemuPids.add(pid!);
    assert.equal((await engine.get(id)).status.crash, null, 'a new start clears the crash');
    await waitForPrompt(engine.paths(id).serialLog, guest.marker, '# ', 90_000);
    // The guest prints while no helper is attached; QEMU's own log keeps it for the next helper.
    typeInGuest(engine, id, 'sleep 8; echo away-$((4+4))-ok');
    // QEMU drops input it has not read yet when the helper's socket closes, and a guest under TCG
    // on a loaded machine reads the UART slowly: wait until the whole line, Enter included, is echoed.
    await waitForMatch(engine.paths(id).serialLog, /away-\$\(\(4\+4\)\)-ok\r?\n/, 60_000);
    await engine.close();
    assert.ok(isAlive(pid!), 'closing the helper leaves QEMU running');
    await waitForText(engine.paths(id).serialQemuLog, 'away-8-ok', 60_000);
    assert.doesNotMatch(await readFile(engine.paths(id).serialLog, 'utf8'), /away-8-ok/, 'printed while no helper was attached');
    engine = await openEngine(home);
    const { status } = await engine.get(id);
    assert.equal(status.state, 'running');
    assert.equal(status.pid, pid);
    assert.match(engine.serialHub(id).scrollback().toString(), /away-8-ok/, 'the scrollback has what came while away');
    assert.match(await readFile(engine.paths(id).serialLog, 'utf8'), /away-8-ok/);
    assert.equal((await engine.stop(id)).state, 'stopped');
    assert.equal(isAlive(pid!), false);
  });

  test('a second helper cannot own the same library', async () => {
    const second = await openEngine(home).then(
      async (opened) => {
        await opened.close(); // an engine that opened would keep this file's process alive
        return null;
      },
      (e: unknown) => e,
    );
    assert.equal((second as { code?: string } | null)?.code, 'LIBRARY_LOCKED', 'the second open is refused');
  });
});

describe('hostile names and paths', () => {
  test('a VM with commas, spaces and unicode in its name, library and paths boots', async () => {
    const parent = await newHome('odd');
    const home = path.join(parent, 'VMs, mine ü "x"');
    const kernelDir = path.join(parent, 'kernel, dir');
    await rm(kernelDir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(kernelDir, { recursive: true }));
    const kernel = path.join(kernelDir, 'vm linuz,1');
    const initrd = path.join(kernelDir, 'init rd,=x');
    await copyFile(guest.kernel, kernel);
    await copyFile(guest.initrd, initrd);
    const engine = await openEngine(home);
    try {
      const { config } = await engine.create(
        kernelGuest('my, odd VM "one" ü', {
          disks: [{ sizeMiB: 16, format: 'qcow2' }],
          linuxBoot: { kernel, initrd, cmdline: guest.cmdline },
        }),
      );
      const disk = path.join(vmFolder(engine.library.root, config.id), config.disks[0]!.file);
      assert.ok((await stat(disk)).size > 0, 'the disk image was created');
      assert.match(disk, /, mine ü/);
      await engine.start(config.id);
      await waitForText(engine.paths(config.id).serialLog, guest.marker, 90_000);
      assert.equal((await engine.stop(config.id, { force: true })).state, 'stopped');
    } finally {
      await engine.close();
    }
  });
});

describe('installing from an ISO', () => {
  test('the test guest ISO boots from a CD drive', async () => {
    const home = await newHome('iso');
    const iso = path.join(home, 'install media, v1.iso');
    await copyFile(guest.iso, iso);
    const engine = await openEngine(home);
    try {
      const { config } = await engine.create({
        name: 'from ISO',
        preset: 'other',
        system: { memoryMiB: 256 },
        disks: [{ sizeMiB: 16, format: 'qcow2' }],
        iso,
        sound: { enabled: false },
      });
      assert.equal(config.removable[0]!.iso, iso);
      await engine.start(config.id);
      await waitForText(engine.paths(config.id).serialLog, guest.marker, 240_000);
      assert.equal((await engine.stop(config.id, { force: true })).state, 'stopped');
    } finally {
      await engine.close();
    }
  });
});
