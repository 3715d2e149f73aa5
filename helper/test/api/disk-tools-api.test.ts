import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { EVENTS, METHODS, type JobProgress } from '@openutm/shared';
import { vmBundlePaths, vmFolder } from '../../src/vm-library/library-paths';
import { ApiClient, cheapVm, startHarness, type Harness } from './support/api-harness';

const MiB = 1024 * 1024;

// The disk tools over the real WebSocket API: a client watches a convert's job.progress and
// another client cancels it with job.cancel; the request then fails with CANCELLED and the VM
// is as it was. vm.disks answers with virtual and real sizes.
describe('disk tools over the API', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('vm.disks, then a convert cancelled by another client through job.cancel', async () => {
    const { client, welcome } = await ApiClient.ready(h);
    const { client: other } = await ApiClient.ready(h);
    assert.ok((welcome.capabilities as string[]).includes('vm.diskTools'));
    const created = await client.request('vm.create', cheapVm('api-disk', { disks: [{ sizeMiB: 256, format: 'raw' }] }));
    const { config } = created.result as { config: { id: string; disks: Array<{ file: string }> } };
    const image = path.join(vmFolder(h.engine.library.root, config.id), config.disks[0]!.file);
    const handle = await open(image, 'r+');
    for (let i = 0; i < 256; i++) await handle.write(Buffer.alloc(MiB, `mib ${i} `), 0, MiB, i * MiB);
    await handle.close();

    const usage = METHODS['vm.disks'].result.parse((await client.request('vm.disks', { id: config.id })).result);
    assert.deepEqual(usage.map((u) => [u.id, u.format, u.virtualBytes, u.snapshots, u.toolsBlockedBecause]), [['disk0', 'raw', 256 * MiB, 0, null]]);
    assert.ok(usage[0]!.actualBytes! >= 256 * MiB);
    const configBefore = await readFile(vmBundlePaths(h.engine.library.root, config.id).config, 'utf8');
    const filesBefore = (await readdir(vmFolder(h.engine.library.root, config.id))).sort();

    client.send({ id: 'convert', method: 'vm.diskConvert', params: { id: config.id, disk: 'disk0', format: 'qcow2', job: 'api-convert' } });
    // The other client sees the job start converting, and cancels it.
    const first = await other.next((m) => m.event === 'job.progress' && (m.data as JobProgress).job === 'api-convert' && (m.data as JobProgress).label.startsWith('Converting'));
    assert.equal(EVENTS['job.progress'].parse(first.data).kind, 'disk');
    const cancelled = await other.request('job.cancel', { job: 'api-convert' });
    assert.deepEqual(cancelled.result, { job: 'api-convert' });
    const answer = await client.next((m) => m.id === 'convert');
    assert.equal((answer.error as { code: string }).code, 'CANCELLED');
    const last = await other.next((m) => m.event === 'job.progress' && (m.data as JobProgress).job === 'api-convert' && (m.data as JobProgress).state === 'failed');
    assert.equal((last.data as JobProgress).error?.code, 'CANCELLED');

    assert.equal(await readFile(vmBundlePaths(h.engine.library.root, config.id).config, 'utf8'), configBefore);
    assert.deepEqual((await readdir(vmFolder(h.engine.library.root, config.id))).sort(), filesBefore);
    const gone = await other.request('job.cancel', { job: 'api-convert' });
    assert.equal((gone.error as { code: string }).code, 'NOT_FOUND');
    await client.close();
    await other.close();
  });
});
