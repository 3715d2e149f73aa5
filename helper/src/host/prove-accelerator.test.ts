import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { QemuBinary } from '@openutm/shared';
import type { ProbeFinding } from './accelerator-probe';
import { hostBootId, PROBE_CACHE_FILE } from './probe-cache';
import { proveAccelerator } from './prove-accelerator';

const binary: QemuBinary = { architecture: 'x86_64', path: '/usr/bin/qemu-system-x86_64', version: '7.2.15', spice: true, sandbox: true, accelerators: ['tcg', 'kvm'], machines: ['q35'] };
const kvm = { accelerator: 'kvm', architecture: 'x86_64' } as const;

// Counts probe runs and answers with a fixed finding: what is tested here is the caching around it.
function countingRun(finding: ProbeFinding): { run: () => Promise<ProbeFinding>; runs: () => number } {
  let n = 0;
  return { run: () => (n++, Promise.resolve(finding)), runs: () => n };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'openutm-probe-cache-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a verdict is probed once per boot, QEMU binary and version, then read from the cache', () =>
  withDir(async (dir) => {
    const failed = { ok: false, reason: 'QEMU was killed by SIGABRT: failed to set MSR 0x10a', lasting: true };
    const probe = countingRun(failed);
    assert.deepEqual(await proveAccelerator(binary, kvm, { cacheDir: dir, run: probe.run }), { ok: false, reason: failed.reason, cached: false });
    assert.deepEqual(await proveAccelerator(binary, kvm, { cacheDir: dir, run: probe.run }), { ok: false, reason: failed.reason, cached: true });
    assert.equal(probe.runs(), 1);
    // Another QEMU version (an upgrade) is probed afresh.
    await proveAccelerator({ ...binary, version: '8.2.2' }, kvm, { cacheDir: dir, run: probe.run });
    assert.equal(probe.runs(), 2);
    const file = JSON.parse(await readFile(path.join(dir, PROBE_CACHE_FILE), 'utf8')) as { bootId: string; verdicts: object };
    assert.equal(file.bootId, await hostBootId());
    assert.equal(Object.keys(file.verdicts).length, 2);
  }));

test('verdicts of an earlier boot are ignored and dropped', () =>
  withDir(async (dir) => {
    const key = `${binary.path}|${binary.version}|x86_64|kvm|host`;
    await writeFile(path.join(dir, PROBE_CACHE_FILE), JSON.stringify({ bootId: 'an-earlier-boot', verdicts: { [key]: { ok: true, reason: null } } }));
    const probe = countingRun({ ok: false, reason: 'the probe guest did not report within 2 s', lasting: true });
    assert.equal((await proveAccelerator(binary, kvm, { cacheDir: dir, run: probe.run })).ok, false);
    assert.equal(probe.runs(), 1);
    const file = JSON.parse(await readFile(path.join(dir, PROBE_CACHE_FILE), 'utf8')) as { bootId: string; verdicts: Record<string, { ok: boolean }> };
    assert.notEqual(file.bootId, 'an-earlier-boot');
    assert.equal(file.verdicts[key]?.ok, false);
  }));

test('a timeout is not kept (the host may only have been busy), nor is anything with no cache', () =>
  withDir(async (dir) => {
    const probe = countingRun({ ok: false, reason: 'the probe guest did not report within 2 s', lasting: false });
    await proveAccelerator(binary, kvm, { cacheDir: dir, run: probe.run });
    await proveAccelerator(binary, kvm, { cacheDir: dir, run: probe.run });
    assert.equal(probe.runs(), 2);
    const passing = countingRun({ ok: true, reason: null, lasting: true });
    await proveAccelerator(binary, kvm, { cacheDir: null, run: passing.run });
    await proveAccelerator(binary, kvm, { cacheDir: null, run: passing.run });
    assert.equal(passing.runs(), 2);
  }));

test('a damaged cache file costs a probe, not an error', () =>
  withDir(async (dir) => {
    await writeFile(path.join(dir, PROBE_CACHE_FILE), '{"bootId": 12, "verd');
    const probe = countingRun({ ok: true, reason: null, lasting: true });
    assert.deepEqual(await proveAccelerator(binary, kvm, { cacheDir: dir, run: probe.run }), { ok: true, reason: null, cached: false });
    assert.deepEqual(await proveAccelerator(binary, kvm, { cacheDir: dir, run: probe.run }), { ok: true, reason: null, cached: true });
  }));
