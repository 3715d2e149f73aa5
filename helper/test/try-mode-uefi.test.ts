import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import { vmFolder } from '../src/vm-library/library-paths';
import { kernelGuestRequest, testGuest } from './support/test-guest';
import { waitForText } from './support/wait';

// A UEFI VM's try: QEMU's variable store is the try copy (the firmware's writes during the try
// land there), the VM's own store stays as it was until Keep puts the copy in its place.
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('a UEFI try runs on the copy of the variables; Keep puts the firmware\'s writes in the VM\'s own store', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'openutm try uefi, ü '));
  const engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: lazyHostFacts(), acceleratorOverride: 'tcg' });
  try {
    const { config } = await engine.create(kernelGuestRequest('uefi try', { system: { firmware: 'uefi', memoryMiB: 256, cpus: 1 }, disks: [{ sizeMiB: 8, format: 'qcow2' }] }));
    const folder = vmFolder(home, config.id);
    const started = await engine.start(config.id, { try: true });
    assert.equal(started.tryMode, 'active');
    const cmdline = (await readFile(`/proc/${started.pid}/cmdline`, 'utf8')).split('\0');
    assert.ok(cmdline.some((a) => a.includes(`${folder}/efi-vars.try.fd`)), 'the variable store QEMU writes is the try copy');
    assert.ok(cmdline.some((a) => a.includes(`${folder}/try-disk0.qcow2`)), 'the disk QEMU writes is the overlay');
    assert.ok(!cmdline.some((a) => a.includes('efi-vars.fd"')), 'the VM\'s own store is not opened');
    const own = await readFile(path.join(folder, 'efi-vars.fd'));
    // By the time the guest's kernel runs, the firmware has written its boot entries.
    await waitForText(engine.paths(config.id).serialLog, testGuest().marker, 300_000);
    assert.equal((await engine.kill(config.id)).tryMode, 'pending');
    const written = await readFile(path.join(folder, 'efi-vars.try.fd'));
    assert.notEqual(sha(written), sha(own), 'the firmware wrote variables during the try');
    assert.equal(sha(await readFile(path.join(folder, 'efi-vars.fd'))), sha(own), 'into the copy only');
    await engine.tries.keep(config.id);
    assert.equal(sha(await readFile(path.join(folder, 'efi-vars.fd'))), sha(written));
    assert.deepEqual((await readdir(folder)).filter((f) => f.includes('try')), []);
    assert.equal((await engine.get(config.id)).status.tryMode, null);
  } finally {
    for (const { config, status } of await engine.list()) if (status.pid !== null) await engine.kill(config.id).catch(() => undefined);
    await engine.close();
    await rm(home, { recursive: true, force: true });
  }
});
