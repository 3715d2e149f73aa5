import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { HostFacts } from '@openutm/shared';
import { gatherHostFacts } from '../src/host/doctor';
import { VmEngine } from '../src/vm-service/vm-engine';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import { kernelGuestRequest, testGuest } from './support/test-guest';
import { waitForText } from './support/wait';

// With no OPENUTM_ACCEL and the VM on 'auto', a new VM boots on any host: under KVM where the
// probe guest ran, under TCG with a warning naming the failure where it did not (a cloud VM
// whose nested KVM rejects the host CPU model), under TCG where there is no KVM at all.
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `openutm-${label}-`));
  dirs.push(dir);
  return dir;
}

// The accelerator QEMU was started with, from its own command line.
async function acceleratorOf(pid: number): Promise<string | undefined> {
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  return argv[argv.indexOf('-accel') + 1];
}

test("a new VM on 'auto' with no override boots, on the accelerator the probe allows", { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const env = { ...process.env };
  delete env.OPENUTM_ACCEL;
  const cacheDir = await tempDir('probe-cache');
  let facts: HostFacts | undefined;
  const hostFacts = async () => (facts ??= await gatherHostFacts({ env, probeCacheDir: cacheDir }));
  const home = await tempDir('auto-accel');
  const engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts });
  try {
    const { config } = await engine.create(kernelGuestRequest('auto accelerator'));
    assert.equal(config.system.accelerator, 'auto');
    const status = await engine.start(config.id);
    const probe = (await hostFacts()).acceleratorProbe;
    process.stdout.write(`# probe: ${JSON.stringify(probe)}; warnings: ${JSON.stringify(status.warnings)}\n`);
    const expected = probe?.ok ? probe.accelerator : 'tcg';
    assert.equal(await acceleratorOf(status.pid!), expected);
    if (probe && !probe.ok) {
      assert.ok(status.warnings?.some((w) => w.includes('failed its probe boot') && w.includes(probe.reason!)), JSON.stringify(status.warnings));
    }
    await waitForText(engine.paths(config.id).serialLog, testGuest().marker, 120_000);
    await engine.kill(config.id);
  } finally {
    await engine.close();
  }
});
