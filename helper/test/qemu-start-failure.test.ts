import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isOpenUtmError, type HostFacts } from '@openutm/shared';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import { kernelGuestRequest } from './support/test-guest';

// A QEMU that dies while starting must say why in its own words, in the error and in the VM's
// log, never only "exit code 1" (QEMU used to abort after -daemonize had cut its stderr off).
const MSR_ABORT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/qemu-msr-abort.sh');
const POSIX_ONLY = process.platform === 'win32' ? 'the stand-in QEMU is a shell script' : false;
const facts = lazyHostFacts();
const homes: string[] = [];

async function engineWith(hostFacts: () => Promise<HostFacts>, acceleratorOverride?: 'tcg'): Promise<VmEngine> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'openutm-startfail-'));
  homes.push(home);
  return VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts, acceleratorOverride });
}

after(async () => {
  for (const home of homes) await rm(home, { recursive: true, force: true });
});

test("a QEMU that fails after it started: QEMU_FAILED carries its last lines, and the VM's log keeps them", { skip: POSIX_ONLY }, async () => {
  // This host's facts with the stand-in in place of qemu-system-x86_64.
  const standIn = async () => {
    const real = await facts();
    return { ...real, qemu: real.qemu.map((q) => ({ ...q, path: MSR_ABORT })) };
  };
  const engine = await engineWith(standIn, 'tcg');
  try {
    const { config } = await engine.create(kernelGuestRequest('msr abort'));
    const failure = await engine.start(config.id).then(
      () => assert.fail('the start should fail'),
      (e: unknown) => e,
    );
    assert.ok(isOpenUtmError(failure), String(failure));
    assert.equal(failure.code, 'QEMU_FAILED');
    assert.match(failure.message, /^QEMU exited with code 1 while starting\. It said:\n/);
    assert.match(failure.message, /qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69/);
    assert.match(failure.message, /kvm_buf_set_msrs: Assertion/);
    assert.equal(failure.details?.exitCode, 1);
    // Nothing lost: the VM is stopped (not stuck starting), and its log shows QEMU's words.
    const { status } = await engine.get(config.id);
    assert.equal(status.state, 'stopped');
    const logs = await engine.logs(config.id, 20);
    assert.equal(logs.source, 'last-run');
    assert.ok(logs.qemu.some((l) => l.includes('failed to set MSR 0x10a')), JSON.stringify(logs.qemu));
    // And the next attempt says the same, rather than tripping over the last one's leftovers.
    await assert.rejects(engine.start(config.id), (e: unknown) => isOpenUtmError(e) && /failed to set MSR 0x10a/.test(e.message));
  } finally {
    await engine.close();
  }
});

// The real QEMU told to use a KVM that cannot run this CPU model (what helpers did before the
// probe): it opens its monitor socket, then aborts. Runs wherever KVM does not work, which
// includes hosts without /dev/kvm (QEMU then says it cannot access KVM).
const kvmWorks = async () => (await facts()).accelerators.includes('kvm');

test('the real QEMU aborting on an unusable KVM: the error quotes QEMU, not the monitor', { skip: !existsSync('/usr/bin/qemu-system-x86_64') && 'needs QEMU' }, async (t) => {
  if (await kvmWorks()) return t.skip('KVM runs guests on this host, so QEMU would not fail');
  const claimsKvm = async () => ({ ...(await facts()), accelerators: ['kvm' as const, 'tcg' as const], acceleratorProbe: undefined });
  const engine = await engineWith(claimsKvm);
  try {
    const { config } = await engine.create(kernelGuestRequest('unusable kvm', { system: { firmware: 'bios', memoryMiB: 256, cpus: 1, accelerator: 'kvm' } }));
    const failure = await engine.start(config.id).then(
      () => assert.fail('the start should fail'),
      (e: unknown) => e,
    );
    assert.ok(isOpenUtmError(failure), String(failure));
    assert.equal(failure.code, 'QEMU_FAILED');
    process.stdout.write(`# ${failure.message.replace(/\n/g, '\n# ')}\n`);
    assert.match(failure.message, /^QEMU (exited with code \d+|was killed by SIG\w+) while starting\. It said:\n.*(KVM|MSR)/s);
    const logs = await engine.logs(config.id, 20);
    assert.ok(logs.qemu.some((l) => /KVM|MSR/.test(l)), JSON.stringify(logs.qemu));
  } finally {
    await engine.close();
  }
});
