import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAcceleratorProbe } from './run-accelerator-probe';

const QEMU = '/usr/bin/qemu-system-x86_64';
const skip = existsSync(QEMU) ? false : `needs ${QEMU}`;
const POSIX_ONLY = process.platform === 'win32' ? 'the stand-in QEMU is a shell script' : false;
const MSR_ABORT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/qemu-msr-abort.sh');
// Tests of the probe itself, not of its speed: a busy machine gets time.
const GENEROUS_MS = 30_000;

test('under TCG the real QEMU runs the probe guest, which reports', { skip }, async () => {
  const started = Date.now();
  const v = await runAcceleratorProbe(QEMU, { accelerator: 'tcg', architecture: 'x86_64' }, { timeoutMs: GENEROUS_MS });
  process.stdout.write(`# TCG probe: ${Date.now() - started} ms\n`);
  assert.deepEqual(v, { ok: true, reason: null, lasting: true });
});

// The aarch64 image (the one HVF runs on Apple silicon) checked by a real QEMU under TCG where
// Debian's qemu-system-arm is installed or OPENUTM_TEST_AARCH64_QEMU names one (npm test installs
// neither; checked here once with the package's binary unpacked to a temp folder).
const AARCH64 = process.env.OPENUTM_TEST_AARCH64_QEMU ?? '/usr/bin/qemu-system-aarch64';
test('under TCG the real qemu-system-aarch64 runs the aarch64 probe guest, which reports', { skip: !existsSync(AARCH64) && `needs ${AARCH64} (qemu-system-arm)` }, async () => {
  assert.deepEqual(await runAcceleratorProbe(AARCH64, { accelerator: 'tcg', architecture: 'aarch64' }, { timeoutMs: GENEROUS_MS }), { ok: true, reason: null, lasting: true });
});

test('under KVM the real QEMU gives a verdict for this host, with a reason when it fails', { skip: (skip || !existsSync('/dev/kvm')) && 'needs QEMU and /dev/kvm' }, async () => {
  const v = await runAcceleratorProbe(QEMU, { accelerator: 'kvm', architecture: 'x86_64' }, { timeoutMs: GENEROUS_MS });
  process.stdout.write(`# KVM probe here: ${JSON.stringify(v)}\n`);
  // Whatever this host does, a failure says why and a pass says nothing.
  assert.equal(v.ok, v.reason === null);
  if (!v.ok) assert.match(v.reason!, /QEMU|probe guest/);
});

test("a QEMU that fails the way nested KVM does is not trusted, and its words are the reason", { skip: POSIX_ONLY }, async () => {
  const v = await runAcceleratorProbe(MSR_ABORT, { accelerator: 'kvm', architecture: 'x86_64' }, { timeoutMs: GENEROUS_MS });
  assert.equal(v.ok, false);
  assert.equal(v.lasting, true);
  assert.match(v.reason!, /^QEMU exited with code 1: .*failed to set MSR 0x10a.*kvm_buf_set_msrs/);
});

test('a probe guest that never reports is cut off at the time limit and not kept', { skip: POSIX_ONLY }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'openutm-hang-'));
  try {
    const hang = path.join(dir, 'qemu-hang');
    await writeFile(hang, '#!/bin/sh\necho "SeaBIOS (version 1.16)" >&2\nexec sleep 60\n');
    await chmod(hang, 0o755);
    const v = await runAcceleratorProbe(hang, { accelerator: 'kvm', architecture: 'x86_64' }, { timeoutMs: 300 });
    assert.deepEqual(v, { ok: false, reason: 'the probe guest did not report within 0.3 s; QEMU said: SeaBIOS (version 1.16)', lasting: false });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a QEMU binary that is not there is a reason, not a crash', async () => {
  const v = await runAcceleratorProbe(path.join(tmpdir(), 'no-such-qemu'), { accelerator: 'kvm', architecture: 'x86_64' });
  assert.equal(v.ok, false);
  assert.match(v.reason!, /could not run the probe: .*ENOENT/);
});
