import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, readlink, rm, stat, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OpenUtmError } from '@openutm/shared';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import { isAlive } from '../src/qemu-process/process-control';
import { vmFolder } from '../src/vm-library/library-paths';
import { SavedStateFacts } from '../src/vm-service/saved-state';
import { kernelGuestRequest, testGuest } from './support/test-guest';
import { typeInGuest } from './support/guest-input';
import { waitForMatch, waitForPrompt, waitForText } from './support/wait';

// Suspend to disk against a real QEMU and the busybox guest (the kill -9 of a whole helper
// process, and the UI, are in web/test/suspend.test.ts).

const guest = testGuest();
const facts = lazyHostFacts();
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

function openEngine(home: string): Promise<VmEngine> {
  return VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: facts, acceleratorOverride: 'tcg' });
}

const stateFiles = async (folder: string) => (await readdir(folder)).filter((f) => f.startsWith('suspended.')).sort();

async function refused(work: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(work, (e: unknown) => e instanceof OpenUtmError && e.code === code && message.test(e.message));
}

test('a paused VM suspends and comes back paused after a helper restart; while suspended its hardware, media and clones wait, its name may change; a discarded state boots afresh', async () => {
  // Commas, spaces and non-ASCII in the library path: QEMU never sees it (the helper writes the file).
  const home = await mkdtemp(path.join(os.tmpdir(), 'openutm suspend, ü-'));
  let engine = await openEngine(home);
  cleanups.push(async () => {
    for (const { config, status } of await engine.list()) if (status.pid !== null) await engine.kill(config.id);
    await engine.close();
    await rm(home, { recursive: true, force: true });
  });
  const { config } = await engine.create(kernelGuestRequest('Suspend, ü paused'));
  const id = config.id;
  const folder = vmFolder(home, id);
  const started = await engine.start(id);
  await waitForText(engine.paths(id).serialLog, guest.marker, 120_000);
  assert.equal((await engine.pause(id)).state, 'paused');

  const suspended = await engine.suspend(id);
  assert.equal(suspended.state, 'suspended');
  assert.equal(suspended.pid, null);
  assert.equal(isAlive(started.pid!), false, 'QEMU has ended');
  assert.deepEqual(await stateFiles(folder), ['suspended.json', 'suspended.state']);
  const saved = SavedStateFacts.parse(JSON.parse(await readFile(path.join(folder, 'suspended.json'), 'utf8')));
  assert.match(saved.machine ?? '', /^pc-q35-\d+\.\d+$/, 'the versioned board, not the q35 alias');
  assert.equal(saved.accelerator, 'tcg');
  assert.equal(saved.running, false);
  assert.ok(saved.bytes > 1024 * 1024, `the state holds the guest's memory (${saved.bytes} bytes)`);

  await refused(engine.edit(id, { system: { memoryMiB: 512 } }), 'INVALID_STATE', /resume or discard the saved state first/);
  await refused(engine.clone(id), 'INVALID_STATE', /suspended: resume or discard the saved state first/);
  assert.equal((await engine.edit(id, { name: 'Suspend, renamed' })).config.name, 'Suspend, renamed');
  assert.equal((await engine.get(id)).config.system.memoryMiB, config.system.memoryMiB);

  // A helper restart: the saved state is all that says "suspended".
  await engine.close();
  engine = await openEngine(home);
  assert.equal((await engine.get(id)).status.state, 'suspended');
  const resumed = await engine.start(id);
  assert.equal(resumed.state, 'paused', 'paused by its user before, paused after');
  assert.deepEqual(await stateFiles(folder), [], 'the saved state is spent once the guest is back');
  if (process.platform === 'linux') {
    // QEMU read the state from a descriptor it inherited: it must not keep the removed file open.
    const fds = await readdir(`/proc/${resumed.pid}/fd`);
    const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${resumed.pid}/fd/${fd}`).catch(() => '')));
    assert.deepEqual(targets.filter((t) => t.includes('suspended.state')), [], 'no descriptor of the spent state left in QEMU');
  }
  assert.equal((await engine.queryStatus(id)).status, 'paused');
  assert.equal((await engine.resume(id)).state, 'running');
  // Not a fresh boot: the new run's serial log has no ready marker, and the shell still answers.
  typeInGuest(engine, id, 'echo still-$((6*7))-here');
  const after = await waitForText(engine.paths(id).serialLog, 'still-42-here', 30_000);
  assert.equal(after.includes(guest.marker), false, 'the guest did not boot again');

  // Suspended again; a state QEMU cannot load (cut short) fails the start with QEMU's words and
  // the way on, and is kept; then discarded: stopped, no files left, and the next start boots afresh.
  assert.equal((await engine.suspend(id)).state, 'suspended');
  await refused(engine.edit(id, { media: { cd0: null } }), 'INVALID_STATE', /media cannot change while the VM is suspended/);
  const stateFile = path.join(folder, 'suspended.state');
  await truncate(stateFile, Math.floor((await stat(stateFile)).size / 2));
  await refused(engine.start(id), 'QEMU_FAILED', /could not be resumed; it is kept in suspended\.state\. Discard it/);
  assert.equal((await engine.status(id)).state, 'suspended');
  assert.deepEqual(await stateFiles(folder), ['suspended.json', 'suspended.state'], 'a state that did not load is kept');
  assert.equal((await engine.discardState(id)).state, 'stopped');
  assert.deepEqual(await stateFiles(folder), []);
  await refused(engine.discardState(id), 'INVALID_STATE', /must be suspended/);
  await engine.start(id);
  await waitForText(engine.paths(id).serialLog, guest.marker, 120_000);
  assert.equal((await engine.kill(id)).state, 'stopped');
});

// A small tmpfs as the library: the state cannot fit. Mounting needs root (CI runs as root;
// elsewhere the test says why it is skipped).
const canMount = process.platform === 'linux' && process.getuid?.() === 0;
test('a full disk during suspend: a clear error, nothing left behind, and the VM keeps running', { skip: !canMount && 'mounting a tmpfs needs root' }, async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'openutm-full-'));
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=12m,mode=0700', 'tmpfs', home], { encoding: 'utf8' });
  assert.equal(mount.status, 0, `mount: ${mount.stderr}`);
  const engine = await openEngine(home);
  cleanups.push(async () => {
    for (const { config, status } of await engine.list()) if (status.pid !== null) await engine.kill(config.id);
    await engine.close();
    spawnSync('umount', [home]);
    await rm(home, { recursive: true, force: true });
  });
  const { config } = await engine.create(kernelGuestRequest('full disk'));
  const id = config.id;
  const log = engine.paths(id).serialLog;
  const { pid } = await engine.start(id);
  await waitForPrompt(log, guest.marker, '# ', 120_000);
  typeInGuest(engine, id, 'i=0; while :; do i=$((i+1)); echo c$i; sleep 1; done &');
  await waitForMatch(log, /c2\r?\n/, 30_000);

  await refused(engine.suspend(id), 'IO_ERROR', /did not fit on the disk holding .*\(ENOSPC\)\. The VM goes on as it was; nothing was saved\. Free some space/);
  const status = await engine.status(id);
  assert.equal(status.state, 'running');
  assert.equal(status.pid, pid, 'the same QEMU');
  assert.equal((await engine.queryStatus(id)).running, true);
  assert.deepEqual(await stateFiles(vmFolder(home, id)), [], 'no partial state left to fill the disk');
  assert.equal((await engine.get(id)).config.name, 'full disk', 'the config is intact');
  // The guest goes on counting from where it was.
  const before = Math.max(...[...(await readFile(log, 'utf8')).matchAll(/c(\d+)\r?\n/g)].map((m) => Number(m[1])));
  await waitForMatch(log, new RegExp(`c${before + 2}\\r?\\n`), 30_000);
});

// QEMU before 8.1 cannot migrate its vdagent, which a VNC VM with the SPICE agent on has (the
// console's clipboard channel): suspend says which setting to change, before touching the VM.
const vdagentBlocks = async () => {
  const x86 = (await facts()).qemu.find((q) => q.architecture === 'x86_64');
  const [major = 0, minor = 0] = (x86?.version ?? '0').split('.').map(Number);
  return x86?.vdagent === true && (major < 8 || (major === 8 && minor < 1));
};
test("a VNC VM with QEMU 7.2's vdagent: suspend refuses, names the setting, and the VM keeps running", async (t) => {
  if (!(await vdagentBlocks())) return t.skip('this QEMU saves its vdagent (8.1 and later) or has none');
  const home = await mkdtemp(path.join(os.tmpdir(), 'openutm-vdagent-'));
  const engine = await openEngine(home);
  cleanups.push(async () => {
    for (const { config, status } of await engine.list()) if (status.pid !== null) await engine.kill(config.id);
    await engine.close();
    await rm(home, { recursive: true, force: true });
  });
  const { config } = await engine.create(kernelGuestRequest('VNC with vdagent', { display: { type: 'vnc' } }));
  const { pid } = await engine.start(config.id);
  await refused(engine.suspend(config.id), 'CONFLICT', /^cannot suspend: QEMU cannot save this VM's memory \(.*vdagent.*\); shut the VM down first, or turn off the SPICE agent/);
  const status = await engine.status(config.id);
  assert.equal(status.state, 'running');
  assert.equal(status.pid, pid, 'the same QEMU');
  assert.deepEqual(await stateFiles(vmFolder(home, config.id)), []);
});

// The Windows way, run here: the stream goes over loopback TCP both ways (the helper listens for
// the save and feeds the file back to QEMU's `migrate-incoming tcp:`), no inherited descriptor.
test('over loopback TCP (as on Windows): a running guest suspends and resumes with its shell state', async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'openutm-suspend-tcp-'));
  const engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: facts, acceleratorOverride: 'tcg', endpoints: 'tcp' });
  cleanups.push(async () => {
    for (const { config, status } of await engine.list()) if (status.pid !== null) await engine.kill(config.id);
    await engine.close();
    await rm(home, { recursive: true, force: true });
  });
  const { config } = await engine.create(kernelGuestRequest('suspend over tcp'));
  const id = config.id;
  await engine.start(id);
  await waitForPrompt(engine.paths(id).serialLog, guest.marker, '# ', 120_000);
  typeInGuest(engine, id, 'V=kept-$((40+2)); echo set-$V');
  await waitForText(engine.paths(id).serialLog, 'set-kept-42', 30_000);

  assert.equal((await engine.suspend(id)).state, 'suspended');
  const resumed = await engine.start(id);
  assert.equal(resumed.state, 'running');
  assert.deepEqual(await stateFiles(vmFolder(home, id)), []);
  typeInGuest(engine, id, 'echo back-$V');
  const log = await waitForText(engine.paths(id).serialLog, 'back-kept-42', 30_000);
  assert.equal(log.includes(guest.marker), false, 'the guest did not boot again');
});
