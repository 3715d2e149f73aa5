import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretProbe, PROBE_MARKER, probeArgs, probeCpuModel, probeImage, type ProbeOutcome } from './accelerator-probe';

test('the x86 probe image jumps from the reset vector to code that writes the marker to COM1', () => {
  const image = probeImage('x86_64');
  assert.equal(image.length, 64 * 1024);
  // The reset vector is 16 bytes below the end: jmp near to offset 0 (0xFFF3 + 0x000D wraps to 0).
  assert.deepEqual([...image.subarray(0xfff0, 0xfff3)], [0xe9, 0x0d, 0x00]);
  // mov dx, 0x3f8, then `mov al, c; out dx, al` per character of the marker.
  assert.deepEqual([...image.subarray(0, 3)], [0xba, 0xf8, 0x03]);
  const written = [...image.subarray(3, 3 + 3 * PROBE_MARKER.length)].filter((_, i) => i % 3 === 1);
  assert.equal(String.fromCharCode(...written), PROBE_MARKER);
});

test('the aarch64 probe image stores the marker into the PL011 data register at 0x09000000', () => {
  const image = probeImage('aarch64');
  assert.equal(image.readUInt32LE(0), 0xd2a12000, 'movz x0, #0x0900, lsl #16');
  const chars = [...PROBE_MARKER].map((_, i) => (image.readUInt32LE(4 + i * 8) >> 5) & 0xffff);
  assert.equal(String.fromCharCode(...chars), PROBE_MARKER);
  assert.equal(image.readUInt32LE(8), 0x39000001, 'strb w1, [x0]');
});

test('the probe runs the CPU model a default VM gets: host under KVM and HVF, max elsewhere', () => {
  assert.deepEqual((['kvm', 'hvf', 'whpx', 'tcg'] as const).map(probeCpuModel), ['host', 'host', 'max', 'max']);
});

const argCases = [
  { target: { accelerator: 'kvm', architecture: 'x86_64' }, machine: 'q35', accel: 'kvm', cpu: 'host' },
  { target: { accelerator: 'hvf', architecture: 'aarch64' }, machine: 'virt', accel: 'hvf', cpu: 'host' },
  { target: { accelerator: 'whpx', architecture: 'x86_64' }, machine: 'q35', accel: 'whpx,kernel-irqchip=off', cpu: 'max' },
  { target: { accelerator: 'tcg', architecture: 'x86_64' }, machine: 'q35', accel: 'tcg', cpu: 'max' },
] as const;

for (const { target, machine, accel, cpu } of argCases) {
  test(`probe arguments for ${target.accelerator} on ${target.architecture}`, () => {
    const args = probeArgs(target, '/tmp/a dir, odd/probe.bin');
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    assert.equal(value('-machine'), machine);
    assert.equal(value('-accel'), accel);
    assert.equal(value('-cpu'), cpu);
    assert.equal(value('-bios'), '/tmp/a dir, odd/probe.bin', 'the image path is one verbatim argument');
    assert.equal(value('-serial'), 'stdio');
    assert.ok(args.includes('-nodefaults') && args.includes('-no-user-config'));
  });
}

const outcome = (o: Partial<ProbeOutcome>): ProbeOutcome => ({ stdout: '', stderr: '', exitCode: null, signal: null, timedOut: false, timeoutMs: 2_000, ...o });

test('interpretProbe: the marker passes, however QEMU then ended', () => {
  assert.deepEqual(interpretProbe(outcome({ stdout: 'OK\n', signal: 'SIGKILL' })), { ok: true, reason: null, lasting: true });
  assert.equal(interpretProbe(outcome({ stdout: 'OK', stderr: "warning: host doesn't support requested feature", exitCode: 0 })).ok, true);
});

test("interpretProbe: QEMU's abort is the reason, in its own words, and is kept", () => {
  const stderr = 'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\nqemu-system-x86_64: kvm.c:3183: kvm_buf_set_msrs: Assertion `ret == cpu->kvm_msr_buf->nmsrs\' failed.\n';
  const v = interpretProbe(outcome({ stderr, signal: 'SIGABRT' }));
  assert.equal(v.ok, false);
  assert.equal(v.lasting, true);
  assert.match(v.reason!, /^QEMU was killed by SIGABRT: .*failed to set MSR 0x10a.* \/ .*Assertion/);
});

test('interpretProbe: a silent guest names the time limit and is asked again next time', () => {
  const v = interpretProbe(outcome({ timedOut: true, timeoutMs: 2_000 }));
  assert.deepEqual(v, { ok: false, reason: 'the probe guest did not report within 2 s', lasting: false });
  assert.match(interpretProbe(outcome({ exitCode: 1 })).reason!, /exited with code 1 before the probe guest reported/);
  assert.equal(interpretProbe(outcome({ failure: 'spawn qemu ENOENT' })).lasting, false);
});
