import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, METHODS, VmStatus } from '@openutm/shared';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { kernelGuestRequest } from '../support/test-guest';
import { VmEngine } from '../../src/vm-service/vm-engine';
import { lazyHostFacts } from '../../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../../src/runtime/runtime-paths';
import { ApiClient, startHarness, type Harness, type Message } from './support/api-harness';

// A VNC display on loopback TCP (what Windows gets) always makes the argument builder warn that
// VNC checks only 8 password characters: the warning must reach API clients while QEMU runs.
const VNC_WARNING = /VNC checks only 8 characters of its password/;

function statusOf(m: Message): VmStatus {
  assert.equal(m.error, undefined, `no error: ${JSON.stringify(m.error)}`);
  return VmStatus.parse(m.result);
}

describe('launch warnings in the VM status', () => {
  let h: Harness;
  before(async () => (h = await startHarness({ endpoints: 'tcp' })));
  after(() => h.close());

  test('a VNC-on-TCP VM reports the warning while running (status, get, list, vm.state) and not after it stops', async () => {
    const { client } = await ApiClient.ready(h);
    const { config } = METHODS['vm.create'].result.parse((await client.request('vm.create', kernelGuestRequest('warned', { display: { type: 'vnc' } }))).result);
    const id = config.id;
    try {
      assert.deepEqual(statusOf(await client.request('vm.status', { id })).warnings ?? [], [], 'a stopped VM has no warnings');
      const runningEvent = client.next((m) => m.event === 'vm.state' && (m.data as { id?: string; state?: string }).id === id && (m.data as { state?: string }).state === 'running');
      const started = statusOf(await client.request('vm.start', { id }));
      assert.equal(started.state, 'running');
      assert.ok(started.warnings?.some((w) => VNC_WARNING.test(w)), `vm.start tells the warning: ${JSON.stringify(started.warnings)}`);
      const event = EVENTS['vm.state'].parse((await runningEvent).data);
      assert.ok(event.warnings?.some((w) => VNC_WARNING.test(w)), 'the vm.state event carries it');
      assert.ok(statusOf(await client.request('vm.status', { id })).warnings?.some((w) => VNC_WARNING.test(w)), 'vm.status keeps it');
      const got = METHODS['vm.get'].result.parse((await client.request('vm.get', { id })).result);
      assert.ok(got.status.warnings?.some((w) => VNC_WARNING.test(w)), 'vm.get keeps it');
      const listed = METHODS['vm.list'].result.parse((await client.request('vm.list')).result);
      assert.ok(listed.find((v) => v.config.id === id)?.status.warnings?.some((w) => VNC_WARNING.test(w)), 'vm.list keeps it');

      const stopped = statusOf(await client.request('vm.stop', { id, force: true }));
      assert.equal(stopped.state, 'stopped');
      assert.deepEqual(stopped.warnings ?? [], [], 'stopping clears the warnings');
      assert.deepEqual(statusOf(await client.request('vm.status', { id })).warnings ?? [], []);
    } finally {
      await h.engine.kill(id).catch(() => undefined);
      await client.close();
    }
  });

  test('a helper restarted while the VM runs still reports its launch warnings', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'openutm-warn-restart-'));
    const open = () => VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: lazyHostFacts(), acceleratorOverride: 'tcg', endpoints: 'tcp' });
    let engine = await open();
    let id = '';
    try {
      id = (await engine.create(kernelGuestRequest('warned-restart', { display: { type: 'vnc' } }))).config.id;
      assert.ok((await engine.start(id)).warnings?.some((w) => VNC_WARNING.test(w)), 'the first helper tells the warning');
      await engine.close();
      engine = await open();
      const adopted = await engine.status(id);
      assert.equal(adopted.state, 'running', 'the restarted helper re-attached to QEMU');
      assert.ok(adopted.warnings?.some((w) => VNC_WARNING.test(w)), `the restarted helper tells it too: ${JSON.stringify(adopted.warnings)}`);
      const stopped = await engine.kill(id);
      assert.deepEqual(stopped.warnings ?? [], [], 'stopping clears them');
    } finally {
      if (id) await engine.kill(id).catch(() => undefined);
      await engine.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});
