import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { VmCreateRequest } from '@openutm/shared';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { gatherHostFacts } from '../src/host/doctor';
import { isExecutableFile } from '../src/host/find-executable';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import { isAlive } from '../src/qemu-process/process-control';
import { vmFolder } from '../src/vm-library/library-paths';
import { TPM_STATE_DIR } from '../src/companions/swtpm';
import { kernelGuestRequest, testGuest } from './support/test-guest';
import { typeInGuest } from './support/guest-input';
import { waitForPrompt, waitForText } from './support/wait';

// The windows-11 preset's TPM (swtpm, started by the engine) and Secure Boot (OVMF with
// Microsoft's keys), proven with the real parts: the test guest booted from an EFI system
// partition through Debian's signed shim, GRUB and kernel reads both from the kernel's view;
// an unsigned GRUB under the same firmware is refused. OVMF with SMM under TCG is slow: each
// boot may take minutes on a busy host, so there are two.

const guest = testGuest();
const espDir = path.dirname(guest.kernel);
const SIGNED_ESP = path.join(espDir, 'secure-boot-esp.img');
const UNSIGNED_ESP = path.join(espDir, 'unsigned-esp.img');
const BOOT_TIMEOUT_MS = 8 * 60_000;
const homes: string[] = [];

async function newHome(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-tpm-'));
  homes.push(dir);
  return dir;
}

function openEngine(home: string, hostFacts = lazyHostFacts()): Promise<VmEngine> {
  return VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts, acceleratorOverride: 'tcg' });
}

// The windows-11 preset as it is (UEFI + Secure Boot + TPM, q35, NVMe, …), made small.
function windows11(name: string): VmCreateRequest {
  return { name, preset: 'windows-11', system: { memoryMiB: 512, cpus: 1 }, disks: [], network: { mode: 'none' }, sound: { enabled: false } };
}

// Boots the preset from one of the test guest's EFI system partitions.
async function espVm(engine: VmEngine, name: string, esp: string): Promise<string> {
  const { config } = await engine.create(windows11(name));
  await engine.edit(config.id, { disks: { import: [{ path: esp, format: 'raw' }] } });
  return config.id;
}

after(async () => {
  for (const home of homes) await rm(home, { recursive: true, force: true });
});

test('a TPM VM on a host without swtpm is refused before anything runs, naming the package', async () => {
  const home = await newHome();
  // The real host facts, gathered as if swtpm were not installed.
  const withoutSwtpm = () => gatherHostFacts({ isExecutable: (p) => (path.basename(p) === 'swtpm' ? Promise.resolve(false) : isExecutableFile(p)) });
  const engine = await openEngine(home, withoutSwtpm);
  try {
    const { config } = await engine.create(kernelGuestRequest('no swtpm', { system: { firmware: 'bios', memoryMiB: 256, cpus: 1, tpm: true } }));
    await assert.rejects(engine.start(config.id), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'COMPANION_NOT_FOUND');
      assert.match(e.message, /swtpm is not installed: .*install swtpm/);
      assert.match(e.message, /turn the TPM off/);
      return true;
    });
    assert.equal((await engine.get(config.id)).status.state, 'stopped');
    assert.equal(existsSync(engine.paths(config.id).dir), false, 'no runtime dir: nothing was launched');
    assert.equal(existsSync(path.join(vmFolder(home, config.id), TPM_STATE_DIR)), false, 'no TPM state made');
  } finally {
    await engine.close();
  }
});

// Processes whose command line mentions text (here: a VM's runtime dir), from /proc.
async function processesMentioning(text: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  const cmdlines = await Promise.all(pids.map((p) => readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '')));
  return pids.filter((_, i) => cmdlines[i]!.includes(text)).map(Number);
}

test('a start that fails after swtpm started rolls back: swtpm is ended, nothing is left running', async () => {
  const home = await newHome();
  const real = lazyHostFacts();
  // A QEMU that exits 1 at once, so the start fails after the companions are up.
  const brokenQemu = async () => {
    const facts = await real();
    return { ...facts, qemu: facts.qemu.map((q) => ({ ...q, path: '/bin/false' })) };
  };
  const engine = await openEngine(home, brokenQemu);
  try {
    const { config } = await engine.create(kernelGuestRequest('rollback', { system: { firmware: 'bios', memoryMiB: 256, cpus: 1, tpm: true } }));
    await assert.rejects(engine.start(config.id), { code: 'QEMU_FAILED' });
    assert.equal((await engine.get(config.id)).status.state, 'stopped');
    assert.deepEqual(engine.companionsOf(config.id), []);
    const tpm = engine.paths(config.id).tpm;
    assert.equal(tpm.kind, 'unix');
    assert.deepEqual(await processesMentioning(tpm.kind === 'unix' ? tpm.path : ''), [], 'no swtpm left');
    assert.ok(existsSync(path.join(vmFolder(home, config.id), TPM_STATE_DIR)), 'swtpm did run (its state dir exists)');
  } finally {
    await engine.close();
  }
});

test('a TPM VM keeps its TPM state across a stop and a new start, and the guest sees the TPM each time', async () => {
  const home = await newHome();
  const engine = await openEngine(home);
  const { config } = await engine.create(kernelGuestRequest('tpm restarts', { system: { firmware: 'bios', memoryMiB: 256, cpus: 1, tpm: true } }));
  const id = config.id;
  const stateDir = path.join(vmFolder(home, id), TPM_STATE_DIR);
  try {
    const seen: string[][] = [];
    for (const run of [1, 2]) {
      await engine.start(id);
      const serial = engine.paths(id).serialLog;
      await waitForPrompt(serial, guest.marker, '# ', 90_000);
      typeInGuest(engine, id, `echo "run${run}-tpm=$(cat /sys/class/tpm/tpm0/tpm_version_major)-end"`);
      await waitForText(serial, `run${run}-tpm=2-end`, 60_000);
      await engine.stop(id, { force: true });
      seen.push((await readdir(stateDir)).filter((f) => f.startsWith('tpm2-')).sort());
    }
    assert.ok(seen[0]!.length > 0, 'the first run left its state in the VM folder');
    assert.deepEqual(seen[1], seen[0], 'the second run used the same state files');
  } finally {
    await engine.kill(id).catch(() => undefined);
    await engine.close();
  }
});

describe('the windows-11 preset under Secure Boot, with its TPM', () => {
  let home: string;
  let engine: VmEngine;
  let id: string;
  let swtpmPid: number;

  before(async () => {
    home = await newHome();
    engine = await openEngine(home);
    id = await espVm(engine, 'win11 signed', SIGNED_ESP);
  });
  after(async () => {
    await engine.kill(id).catch(() => undefined);
    await engine.close();
  });

  test('swtpm starts before QEMU; the guest sees a TPM 2.0 and reads Secure Boot as enabled', async () => {
    const started = Date.now();
    const status = await engine.start(id);
    assert.equal(status.state, 'running');
    const [swtpm] = engine.companionsOf(id);
    assert.equal(swtpm?.name, 'swtpm');
    swtpmPid = swtpm.pid;
    assert.ok(isAlive(swtpmPid), 'swtpm runs');
    assert.ok(existsSync(path.join(engine.paths(id).dir, 'swtpm.log')), "swtpm's log is beside QEMU's");
    const serial = engine.paths(id).serialLog;
    await waitForPrompt(serial, guest.marker, '# ', BOOT_TIMEOUT_MS);
    console.log(`# signed shim → GRUB → kernel under Secure Boot (TCG): shell after ${Math.round((Date.now() - started) / 1000)} s`);
    const sbVar = '/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c';
    typeInGuest(engine, id, `echo "tpm=$(cat /sys/class/tpm/tpm0/tpm_version_major)-sb=$(tail -c1 ${sbVar} | od -An -tu1 | tr -d ' ')-end"`);
    await waitForText(serial, 'tpm=2-sb=1-end', 60_000);
    assert.ok((await readdir(path.join(vmFolder(home, id), TPM_STATE_DIR))).some((f) => f.startsWith('tpm2-')), "the TPM's state is in the VM's folder");
  });

  test('a restarted helper re-attaches to the VM and its swtpm; stopping the VM ends swtpm too', async () => {
    await engine.close();
    assert.ok(isAlive(swtpmPid), 'closing the helper leaves swtpm running');
    engine = await openEngine(home);
    assert.equal((await engine.get(id)).status.state, 'running');
    assert.deepEqual(engine.companionsOf(id), [{ name: 'swtpm', pid: swtpmPid }]);
    const status = await engine.stop(id, { timeoutMs: 30_000 });
    assert.equal(status.state, 'stopped');
    assert.equal(isAlive(swtpmPid), false, 'swtpm ended with the VM');
    assert.deepEqual(engine.companionsOf(id), []);
    assert.equal(existsSync(engine.paths(id).dir), false, 'runtime files are cleaned up');
  });

  test("the TPM's state stays for the next start, a clone gets its own copy, delete removes it", async () => {
    const folder = vmFolder(home, id);
    const stateFiles = (await readdir(path.join(folder, TPM_STATE_DIR))).filter((f) => f !== '.lock');
    assert.ok(stateFiles.length > 0, 'the state survives the stop');
    const { config: copy } = await engine.clone(id, 'win11 clone');
    const copyState = path.join(vmFolder(home, copy.id), TPM_STATE_DIR);
    for (const f of stateFiles) {
      assert.deepEqual(await readFile(path.join(copyState, f)), await readFile(path.join(folder, TPM_STATE_DIR, f)), `${f} copied`);
    }
    assert.notEqual(copyState, path.join(folder, TPM_STATE_DIR), 'never shared');
    await engine.delete(copy.id, 'win11 clone');
    assert.equal(existsSync(vmFolder(home, copy.id)), false, 'delete removes the VM folder with its TPM state');
    assert.ok(existsSync(path.join(folder, TPM_STATE_DIR, stateFiles[0]!)), "the original's state is untouched");
  });
});

test('an unsigned boot loader is refused by the Secure Boot firmware', async () => {
  const home = await newHome();
  const engine = await openEngine(home);
  const id = await espVm(engine, 'win11 unsigned', UNSIGNED_ESP);
  try {
    await engine.start(id);
    const serial = engine.paths(id).serialLog;
    // OVMF's boot manager names the refused option on the serial console ("BdsDxe: failed to
    // load Boot0002 … : Access Denied") and goes on to the next; the kernel never starts.
    const log = await waitForText(serial, 'Access Denied', BOOT_TIMEOUT_MS);
    assert.match(log, /failed to load Boot\d+ .*: Access Denied/);
    assert.doesNotMatch(log, new RegExp(guest.marker));
    assert.doesNotMatch(log, /Linux version|EFI stub/);
    // QEMU dying takes its swtpm along, and swtpm's log is kept beside QEMU's last-run log.
    const [swtpm] = engine.companionsOf(id);
    assert.ok(swtpm && isAlive(swtpm.pid));
    const crashed = new Promise<void>((resolve) => engine.on('state', (st) => st.id === id && st.state === 'crashed' && resolve()));
    process.kill((await engine.get(id)).status.pid!, 'SIGKILL');
    await crashed;
    assert.equal(isAlive(swtpm.pid), false, 'swtpm ended with the crashed QEMU');
    assert.ok(existsSync(path.join(vmFolder(home, id), 'logs', 'last-run-swtpm.log')), "swtpm's log is kept in the bundle");
  } finally {
    await engine.kill(id).catch(() => undefined);
    await engine.close();
  }
});
