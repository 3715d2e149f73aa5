import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gatherHostFacts } from './doctor';
import { formatDoctor } from './format-doctor';

// Both sides of "is there KVM" in one run, whatever this host has: a device path that does not
// exist (OPENUTM_KVM_DEVICE), the real /dev/kvm with whatever verdict its probe gives, and a
// stand-in QEMU that fails the probe the way nested KVM in a cloud VM does.
const haveQemu = existsSync('/usr/bin/qemu-system-x86_64') && process.platform === 'linux';
const baseEnv = () => {
  const env = { ...process.env };
  delete env.OPENUTM_QEMU;
  delete env.OPENUTM_ACCEL;
  return env;
};

test('OPENUTM_KVM_DEVICE at a path that does not exist: no KVM, no probe, TCG, and the path is named', { skip: !haveQemu && 'needs Debian QEMU' }, async () => {
  const env = { ...baseEnv(), OPENUTM_KVM_DEVICE: '/nonexistent/kvm' };
  const facts = await gatherHostFacts({ env, probeCacheDir: null });
  assert.deepEqual(facts.accelerators, ['tcg']);
  assert.equal(facts.acceleratorProbe, undefined, 'no probe without a device');
  assert.ok(facts.problems.some((p) => p.what.startsWith('KVM is not available: /nonexistent/kvm does not exist')), JSON.stringify(facts.problems));
});

test('the real /dev/kvm counts exactly when its probe guest ran; a failed probe is a warning with the reason', { skip: (!haveQemu || !existsSync('/dev/kvm')) && 'needs QEMU and /dev/kvm' }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'openutm-probe-cache-'));
  try {
    const env = baseEnv();
    delete env.OPENUTM_KVM_DEVICE;
    const facts = await gatherHostFacts({ env, probeCacheDir: dir });
    const probe = facts.acceleratorProbe;
    process.stdout.write(`# KVM probe on this host: ${JSON.stringify(probe)}\n`);
    if (!probe) {
      // The device is there but not ours (no-access): no probe, and no KVM.
      assert.ok(!facts.accelerators.includes('kvm'));
      return;
    }
    assert.equal(probe.accelerator, 'kvm');
    assert.equal(probe.cpuModel, 'host');
    assert.equal(facts.accelerators.includes('kvm'), probe.ok);
    const problem = facts.problems.find((p) => p.what.startsWith('KVM cannot run guests here'));
    assert.equal(problem !== undefined, !probe.ok);
    if (!probe.ok) {
      assert.ok(problem!.what.includes(probe.reason!), 'the warning carries the probe reason');
      assert.match(formatDoctor(facts, { env }), /kvm probe \(CPU host\): failed the probe guest: /);
    }
    // Asked again during the same boot, the verdict comes from the cache.
    const again = await gatherHostFacts({ env, probeCacheDir: dir });
    assert.equal(again.acceleratorProbe?.ok, probe.ok);
    assert.equal(again.acceleratorProbe?.cached, probe.ok || !/did not report/.test(probe.reason ?? ''));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// A stand-in qemu-system-x86_64 that answers the feature questions like Debian's and aborts
// under KVM the way QEMU 7.2 does on nested virtualization that rejects the host CPU's MSRs.
const NESTED_KVM_QEMU = `#!/bin/sh
case "$1" in
  --version) printf 'QEMU emulator version 7.2.15\\n' ;;
  -accel) printf 'Accelerators supported in QEMU binary:\\ntcg\\nkvm\\n' ;;
  -machine) printf 'Supported machines are:\\nq35                  Standard PC (Q35 + ICH9, 2009) (alias of pc-q35-7.2)\\n' ;;
  -spice) printf 'spice options:\\n' ;;
  -sandbox) printf 'sandbox options:\\n' ;;
  *) case " $* " in
       *" -accel kvm "*)
         echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2
         echo "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion failed." >&2
         kill -ABRT $$ ;;
       *) exit 1 ;;
     esac ;;
esac
`;

test('a KVM device that opens but whose QEMU aborts on the probe is not usable; the warning quotes QEMU', { skip: process.platform === 'win32' && 'the stand-in QEMU is a shell script' }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'openutm-nested-'));
  try {
    const qemu = path.join(dir, 'qemu-system-x86_64');
    await writeFile(qemu, NESTED_KVM_QEMU);
    await chmod(qemu, 0o755);
    const device = path.join(dir, 'kvm');
    await writeFile(device, '');
    const facts = await gatherHostFacts({ env: { OPENUTM_QEMU: dir, PATH: '' }, platform: 'linux', arch: 'x64', osRelease: 'ID=debian\n', kvmDevice: device, probeCacheDir: null });
    assert.deepEqual(facts.accelerators, ['tcg']);
    assert.equal(facts.acceleratorProbe?.ok, false);
    assert.match(facts.acceleratorProbe!.reason!, /^QEMU was killed by SIGABRT: .*failed to set MSR 0x10a/);
    const warning = facts.problems.find((p) => p.what.startsWith('KVM cannot run guests here'));
    assert.ok(warning, JSON.stringify(facts.problems));
    assert.equal(warning.severity, 'warning');
    assert.match(warning.what, /with CPU model host \(QEMU was killed by SIGABRT: .*MSR 0x10a/);
    assert.match(warning.fix, /nested virtualization/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
