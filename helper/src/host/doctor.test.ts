import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HostFacts } from '@openutm/shared';
import { gatherHostFacts } from './doctor';
import { formatDoctor } from './format-doctor';
import { runProgram, type RunProgram } from './run-program';

// These run the real QEMU of this machine (Debian 12's qemu-system-x86 7.2 with ovmf).
const haveQemu = existsSync('/usr/bin/qemu-system-x86_64') && process.platform === 'linux';

test('gatherHostFacts on this machine finds QEMU 7.2, its features, OVMF and qemu-img', { skip: !haveQemu && 'no /usr/bin/qemu-system-x86_64' }, async () => {
  const env = { ...process.env };
  delete env.OPENUTM_QEMU;
  const facts = await gatherHostFacts({ env, probeCacheDir: null });
  assert.doesNotThrow(() => HostFacts.parse(facts));
  const x86 = facts.qemu.find((q) => q.architecture === 'x86_64');
  assert.ok(x86, 'x86_64 QEMU found');
  assert.equal(x86.path, '/usr/bin/qemu-system-x86_64');
  assert.match(x86.version, /^7\.2\.\d+$/);
  assert.equal(x86.spice, true);
  assert.equal(x86.sandbox, true);
  assert.equal(x86.vdagent, true, 'Debian builds qemu-vdagent in');
  assert.ok(x86.accelerators.includes('tcg') && x86.accelerators.includes('kvm'));
  assert.ok(x86.machines.includes('q35'));
  assert.equal(facts.accelerators.at(-1), 'tcg');
  // KVM only counts when /dev/kvm is really usable here and ran the probe guest.
  assert.equal(facts.accelerators.includes('kvm'), existsSync('/dev/kvm') && facts.acceleratorProbe?.ok === true);
  const plain = facts.firmware.find((f) => f.architecture === 'x86_64' && !f.secureBoot);
  const secure = facts.firmware.find((f) => f.architecture === 'x86_64' && f.secureBoot);
  assert.ok(plain?.code.startsWith('/usr/share/OVMF/'), `plain OVMF under /usr/share/OVMF, got ${plain?.code}`);
  // The descriptor with enrolled Microsoft keys wins among the Secure Boot pairs.
  assert.equal(secure?.code, '/usr/share/OVMF/OVMF_CODE_4M.ms.fd');
  assert.equal(secure?.vars, '/usr/share/OVMF/OVMF_VARS_4M.ms.fd');
  assert.equal(facts.qemuImg, '/usr/bin/qemu-img');
  // npm test installs swtpm; the doctor reports the version it prints.
  if (facts.swtpm !== null) assert.match(facts.swtpmVersion ?? '', /^\d+\.\d+/);
  assert.ok(facts.cpus >= 1 && facts.memoryMiB > 0);
  assert.ok(!facts.problems.some((p) => p.severity === 'error'), JSON.stringify(facts.problems));
  assert.match(formatDoctor(facts, { env }), /x86_64 {4}7\.2\.\d+ +\/usr\/bin\/qemu-system-x86_64/);
});

test('with OPENUTM_QEMU pointing at an empty directory and no PATH, QEMU is an error fixed with apt-get', { skip: !haveQemu && 'needs Debian' }, async () => {
  const empty = await mkdtemp(path.join(tmpdir(), 'openutm-empty-'));
  try {
    const facts = await gatherHostFacts({ env: { OPENUTM_QEMU: empty, PATH: '' } });
    assert.deepEqual(facts.qemu, []);
    const problem = facts.problems.find((p) => p.severity === 'error' && p.what.includes('OPENUTM_QEMU'));
    assert.ok(problem, JSON.stringify(facts.problems));
    assert.match(problem.fix, /sudo apt-get install qemu-system-x86 qemu-utils ovmf/);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

// A fixture program standing in for Homebrew's qemu-system-aarch64 on an Apple silicon Mac:
// no SPICE, no seccomp, hvf listed, qemu-vdagent built in (spice-protocol is a build dependency).
const FAKE_QEMU = `#!/bin/sh
case "$1" in
  --version) printf 'QEMU emulator version 9.1.0\\nCopyright (c) 2003-2024 Fabrice Bellard and the QEMU Project developers\\n' ;;
  -accel) printf 'Accelerators supported in QEMU binary:\\ntcg\\nhvf\\n' ;;
  -machine) printf 'Supported machines are:\\nnone                 empty machine\\nvirt                 QEMU 9.1 ARM Virtual Machine (alias of virt-9.1)\\nvirt-9.1             QEMU 9.1 ARM Virtual Machine\\n' ;;
  -spice) echo "qemu-system-aarch64: -spice help: There is no option group 'spice'" >&2; exit 1 ;;
  -sandbox) echo "qemu-system-aarch64: -sandbox support is not enabled in this QEMU binary" >&2; exit 1 ;;
  -chardev) printf 'Available chardev backend types: \\n  stdio\\n  socket\\n  qemu-vdagent\\n  null\\n' ;;
  *) case " $* " in
       # The accelerator probe: HVF runs its guest, which writes the marker to the serial port.
       *" -accel hvf "*) printf 'OK\\n' ;;
       *) exit 1 ;;
     esac ;;
esac
`;

const POSIX_ONLY = process.platform === 'win32' ? 'the fixture QEMU is a shell script, which Windows cannot run' : false;

test('a Homebrew-like QEMU is parsed end to end: version, hvf, no SPICE, firmware beside it', { skip: POSIX_ONLY }, async () => {
  const prefix = await mkdtemp(path.join(tmpdir(), 'openutm-brew-'));
  try {
    const bin = path.join(prefix, 'bin');
    const share = path.join(prefix, 'share', 'qemu');
    await mkdir(bin, { recursive: true });
    await mkdir(share, { recursive: true });
    const qemu = path.join(bin, 'qemu-system-aarch64');
    await writeFile(qemu, FAKE_QEMU);
    await chmod(qemu, 0o755);
    await writeFile(path.join(bin, 'qemu-img'), '#!/bin/sh\n');
    await chmod(path.join(bin, 'qemu-img'), 0o755);
    await writeFile(path.join(share, 'edk2-aarch64-code.fd'), 'code');
    await writeFile(path.join(share, 'edk2-arm-vars.fd'), 'vars');

    // The fake sysctl says Hypervisor.framework works; QEMU itself really runs.
    const run: RunProgram = (file, args, timeoutMs) =>
      file === '/usr/sbin/sysctl' ? Promise.resolve({ exited: true, code: 0, stdout: '1\n', stderr: '' }) : runProgram(file, args, timeoutMs);
    const facts = await gatherHostFacts({ env: { OPENUTM_QEMU: bin, PATH: '' }, platform: 'darwin', arch: 'arm64', run, probeCacheDir: null });

    assert.equal(facts.os, 'darwin');
    assert.deepEqual(facts.qemu, [
      {
        architecture: 'aarch64',
        path: qemu,
        version: '9.1.0',
        spice: false,
        sandbox: false,
        vdagent: true,
        accelerators: ['tcg', 'hvf'],
        machines: ['none', 'virt', 'virt-9.1'],
      },
    ]);
    assert.deepEqual(facts.accelerators, ['hvf', 'tcg']);
    assert.deepEqual(facts.acceleratorProbe, { accelerator: 'hvf', cpuModel: 'host', ok: true, reason: null, cached: false });
    assert.equal(facts.qemuImg, path.join(bin, 'qemu-img'), 'qemu-img beside the chosen QEMU');
    assert.deepEqual(facts.firmware, [
      { architecture: 'aarch64', code: path.join(share, 'edk2-aarch64-code.fd'), vars: path.join(share, 'edk2-arm-vars.fd'), secureBoot: false },
    ]);
    const spice = facts.problems.find((p) => /SPICE/.test(p.what));
    assert.match(spice?.fix ?? '', /Homebrew's QEMU is built without SPICE/);
    assert.ok(!facts.problems.some((p) => /sandbox/.test(p.what)), 'no seccomp advice on macOS');
    assert.ok(!facts.problems.some((p) => p.severity === 'error'), JSON.stringify(facts.problems));
  } finally {
    await rm(prefix, { recursive: true, force: true });
  }
});

test('a file that is not QEMU is reported as broken, not trusted', { skip: POSIX_ONLY }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'openutm-notqemu-'));
  try {
    const fake = path.join(dir, 'qemu-system-x86_64');
    await writeFile(fake, '#!/bin/sh\necho "segmentation fault" >&2\nexit 139\n');
    await chmod(fake, 0o755);
    const facts = await gatherHostFacts({ env: { OPENUTM_QEMU: dir, PATH: '' }, platform: 'linux', arch: 'x64', osRelease: 'ID=fedora\n' });
    assert.deepEqual(facts.qemu, []);
    assert.ok(facts.problems.some((p) => p.severity === 'warning' && p.what.startsWith(`${fake} looks like QEMU but does not run`) && /segmentation fault/.test(p.what)));
    assert.ok(facts.problems.some((p) => p.severity === 'error' && /dnf install/.test(p.fix)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
