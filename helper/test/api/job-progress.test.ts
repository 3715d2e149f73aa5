import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, truncate, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EVENTS, type JobProgress } from '@openutm/shared';
import { vmFolder } from '../../src/vm-library/library-paths';
import { ApiClient, cheapVm, startHarness, type Harness, type Message } from './support/api-harness';

const MiB = 1024 * 1024;

// Fills a sparse raw image with random (incompressible, non-zero) chunks spread over it, so
// qemu-img has real data to copy at many places and reports many fractions on the way.
async function scatterData(file: string, chunks: number, chunkMiB: number, strideMiB: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    for (let i = 0; i < chunks; i++) await handle.write(randomBytes(chunkMiB * MiB), 0, chunkMiB * MiB, i * strideMiB * MiB);
  } finally {
    await handle.close();
  }
}

// Every job.progress frame of one job up to its last one (done or failed), checked against EVENTS.
async function jobEvents(client: ApiClient, job: string): Promise<JobProgress[]> {
  const events: JobProgress[] = [];
  for (;;) {
    const m: Message = await client.next((x) => x.event === 'job.progress' && (x.data as { job?: string }).job === job);
    const parsed = EVENTS['job.progress'].safeParse(m.data);
    assert.ok(parsed.success, `job.progress matches its schema: ${JSON.stringify(m.data)}`);
    events.push(parsed.data);
    if (parsed.data.state === 'done' || parsed.data.state === 'failed') return events;
  }
}

// vm.clone, vm.create and vm.edit's disk imports report job.progress to every client, under the job id the request named.
describe('job progress', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('cloning a VM with a written 512 MiB disk sends rising progress for that VM, ending at done == total', async () => {
    const { client } = await ApiClient.ready(h);
    const { client: watcher } = await ApiClient.ready(h);
    const created = await client.request('vm.create', cheapVm('big-disk', { disks: [{ sizeMiB: 512, format: 'raw' }] }));
    const { config } = created.result as { config: { id: string; disks: Array<{ file: string }> } };
    await scatterData(path.join(vmFolder(h.engine.library.root, config.id), config.disks[0]!.file), 32, 2, 16);

    const answer = await client.request('vm.clone', { id: config.id, name: 'big-disk copy', job: 'clone-big' });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    for (const c of [client, watcher]) {
      const events = await jobEvents(c, 'clone-big');
      assert.ok(events.every((e) => e.vm === config.id), 'every event names the source VM');
      assert.equal(events[0]!.state, 'running', 'the job is announced before it ends');
      const running = events.filter((e) => e.state === 'running' && e.total > 1);
      assert.ok(running.length >= 3, `several steps on the way, got ${running.map((e) => `${e.done}/${e.total}`).join(' ')}`);
      for (let i = 1; i < running.length; i++) assert.ok(running[i]!.done >= running[i - 1]!.done, 'progress never goes back');
      assert.ok(running.some((e) => e.done > 0 && e.done < e.total), 'some steps are part-way');
      if (c === client) console.log(`clone progress: ${running.map((e) => Math.round((100 * e.done) / e.total)).join(' ')}`);
      const last = events.at(-1)!;
      assert.equal(last.state, 'done');
      assert.equal(last.done, last.total);
      assert.equal(last.total, 512 * MiB, 'total is the source disk size in bytes');
    }
    await client.close();
    await watcher.close();
  });

  test('a clone whose disk is missing ends its job failed with the same error the request gets', async () => {
    const { client } = await ApiClient.ready(h);
    const created = await client.request('vm.create', cheapVm('lost-disk', { disks: [{ sizeMiB: 8, format: 'raw' }] }));
    const { config } = created.result as { config: { id: string; disks: Array<{ file: string }> } };
    await unlink(path.join(vmFolder(h.engine.library.root, config.id), config.disks[0]!.file));
    const before_ = await h.vmIds();
    const answer = await client.request('vm.clone', { id: config.id, job: 'clone-lost' });
    const error = answer.error as { code: string; message: string };
    assert.equal(error.code, 'NOT_FOUND');
    const last = (await jobEvents(client, 'clone-lost')).at(-1)!;
    assert.equal(last.state, 'failed');
    assert.deepEqual(last.error, { code: error.code, message: error.message });
    assert.deepEqual(await h.vmIds(), before_, 'the failed clone left no VM behind');
    await client.close();
  });

  test('importing a written 512 MiB image with vm.edit sends rising progress for that VM, ending at done == total, then lists the disk', async () => {
    const { client } = await ApiClient.ready(h);
    const { client: watcher } = await ApiClient.ready(h);
    const created = await client.request('vm.create', cheapVm('import-target', { disks: [] }));
    const { config } = created.result as { config: { id: string } };
    const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-import-'));
    try {
      const image = path.join(dir, 'big image.raw');
      await (await open(image, 'wx')).close();
      await truncate(image, 512 * MiB);
      await scatterData(image, 32, 2, 16);

      const answer = await client.request('vm.edit', { id: config.id, changes: { disks: { import: [{ path: image, format: 'raw' }] } }, job: 'import-big' });
      assert.equal(answer.error, undefined, JSON.stringify(answer.error));
      const disks = (answer.result as { config: { disks: Array<{ sizeMiB: number; format: string }> } }).config.disks;
      assert.deepEqual(disks.map((d) => [d.sizeMiB, d.format]), [[512, 'raw']], 'the imported disk is listed');
      for (const c of [client, watcher]) {
        const events = await jobEvents(c, 'import-big');
        assert.ok(events.every((e) => e.vm === config.id && e.kind === 'edit'), 'every event names the edited VM and says it is an edit');
        assert.equal(events[0]!.state, 'running', 'the job is announced before it ends');
        const running = events.filter((e) => e.state === 'running' && e.total > 1);
        assert.ok(running.length >= 3, `several steps on the way, got ${running.map((e) => `${e.done}/${e.total}`).join(' ')}`);
        for (let i = 1; i < running.length; i++) assert.ok(running[i]!.done >= running[i - 1]!.done, 'progress never goes back');
        assert.ok(running.some((e) => e.done > 0 && e.done < e.total), 'some steps are part-way');
        assert.ok(running.some((e) => e.label === 'Importing big image.raw'), `the copy is labelled with the image name: ${[...new Set(running.map((e) => e.label))].join(', ')}`);
        if (c === client) console.log(`import progress: ${running.map((e) => Math.round((100 * e.done) / e.total)).join(' ')}`);
        const last = events.at(-1)!;
        assert.equal(last.state, 'done');
        assert.equal(last.done, last.total);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await client.close();
    await watcher.close();
  });

  test('importing a qcow2 overlay flattens its backing chain into one standalone disk, with progress up to done == total', async () => {
    const { client } = await ApiClient.ready(h);
    const created = await client.request('vm.create', cheapVm('flatten-target', { disks: [] }));
    const { config } = created.result as { config: { id: string } };
    const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-flatten-'));
    try {
      const raw = path.join(dir, 'data.raw');
      await (await open(raw, 'wx')).close();
      await truncate(raw, 256 * MiB);
      await scatterData(raw, 32, 2, 8);
      execFileSync('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', '--', raw, path.join(dir, 'base.qcow2')]);
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', '--', path.join(dir, 'overlay.qcow2')]);

      const answer = await client.request('vm.edit', { id: config.id, changes: { disks: { import: [{ path: path.join(dir, 'overlay.qcow2'), format: 'qcow2' }] } }, job: 'flatten' });
      assert.equal(answer.error, undefined, JSON.stringify(answer.error));
      const events = await jobEvents(client, 'flatten');
      const running = events.filter((e) => e.state === 'running' && e.total > 1);
      for (let i = 1; i < running.length; i++) assert.ok(running[i]!.done >= running[i - 1]!.done, 'progress never goes back');
      assert.ok(running.some((e) => e.done > 0 && e.done < e.total), `some steps are part-way: ${running.map((e) => `${e.done}/${e.total}`).join(' ')}`);
      const last = events.at(-1)!;
      assert.deepEqual([last.state, last.done, last.vm], ['done', last.total, config.id]);

      const disk = (answer.result as { config: { disks: Array<{ file: string; sizeMiB: number }> } }).config.disks[0]!;
      assert.equal(disk.sizeMiB, 256);
      const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-f', 'qcow2', '--', path.join(vmFolder(h.engine.library.root, config.id), disk.file)], { encoding: 'utf8' })) as Record<string, unknown>;
      assert.equal(info['backing-filename'], undefined, 'the imported disk stands alone');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await client.close();
  });

  test('an import qemu-img cannot read ends its job failed with the request error and adds no disk; a rename sends no job', async () => {
    const { client } = await ApiClient.ready(h);
    const created = await client.request('vm.create', cheapVm('import-bad', { disks: [] }));
    const { config } = created.result as { config: { id: string } };
    const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-import-'));
    try {
      const notQcow2 = path.join(dir, 'plain.raw');
      await (await open(notQcow2, 'wx')).close();
      await truncate(notQcow2, 4 * MiB);
      const answer = await client.request('vm.edit', { id: config.id, changes: { disks: { import: [{ path: notQcow2, format: 'qcow2' }] } }, job: 'import-bad' });
      const error = answer.error as { code: string; message: string };
      assert.equal(error.code, 'QEMU_IMG_FAILED');
      const events = await jobEvents(client, 'import-bad');
      assert.equal(events.at(-1)!.state, 'failed');
      assert.deepEqual(events.at(-1)!.error, { code: error.code, message: error.message });
      const after_ = await client.request('vm.get', { id: config.id });
      assert.deepEqual((after_.result as { config: { disks: unknown[] } }).config.disks, [], 'no disk was added');

      // A plain rename (no job id, no import) is not a job: the VM's next job event is the marker's.
      await client.request('vm.edit', { id: config.id, changes: { name: 'renamed' } });
      await client.request('vm.edit', { id: config.id, changes: { name: 'renamed again' }, job: 'marker' });
      const next = await client.next((x) => x.event === 'job.progress' && (x.data as JobProgress).vm === config.id);
      assert.equal((next.data as JobProgress).job, 'marker');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await client.close();
  });

  test('creating a VM reports its disks as steps under the job id it was given', async () => {
    const { client } = await ApiClient.ready(h);
    const answer = await client.request('vm.create', { ...cheapVm('two-disks', { disks: [{ sizeMiB: 8 }, { sizeMiB: 8 }] }), job: 'create-two' });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    const events = await jobEvents(client, 'create-two');
    assert.deepEqual(
      events.filter((e) => e.total === 2).map((e) => [e.state, e.done, e.label]),
      [
        ['running', 0, 'Creating disk 1 of 2 (8 MiB)'],
        ['running', 1, 'Creating disk 2 of 2 (8 MiB)'],
        ['done', 2, 'Creating disk 2 of 2 (8 MiB)'],
      ],
    );
    await client.close();
  });
});
