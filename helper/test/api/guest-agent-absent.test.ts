import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GuestAgentInfo, VmStatus } from '@openutm/shared';
import { ApiClient, startHarness, type Harness, type Message } from './support/api-harness';
import { kernelGuestRequest } from '../support/test-guest';

// The busybox test guest runs no guest agent: its channel is there, nothing in the guest opens
// it. That is a quiet state: the VM's status says `absent`, questions are refused with what to
// install, and the helper neither logs nor sends anything about it while it keeps looking.
describe('a guest without an agent', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('reads as absent with no events or log lines; exec is refused naming qemu-guest-agent; the setting off reads as off', async () => {
    const { client } = await ApiClient.ready(h);
    const created = (await client.request('vm.create', kernelGuestRequest('no agent'))).result as { config: { id: string } };
    const id = created.config.id;
    const started = VmStatus.parse((await client.request('vm.start', { id })).result);
    assert.equal(started.state, 'running');
    assert.equal(started.guestAgent?.state, 'absent');
    // A second client, connected once the VM runs, hears every event from here on.
    const { client: watcher } = await ApiClient.ready(h);

    // Each of these waits for the agent's sync to time out: real probes of an absent agent.
    const info = GuestAgentInfo.parse((await client.request('vm.guestInfo', { id })).result);
    assert.deepEqual(info, { state: 'absent', hostname: null, os: null, ips: [], lastSeen: null });
    const exec = (await client.request('vm.exec', { id, path: 'true' })).error as { code: string; message: string };
    assert.equal(exec.code, 'GUEST_AGENT_ABSENT');
    assert.match(exec.message, /install qemu-guest-agent in the guest/);
    const again = GuestAgentInfo.parse((await client.request('vm.guestInfo', { id })).result);
    assert.equal(again.state, 'absent');

    // Nothing was sent about the VM while it stayed absent, and nothing was logged.
    // Messages arrive in order: whatever vm.state came before this answer would be found first.
    watcher.send({ id: 'end', method: 'vm.list' });
    const first = await watcher.next((m: Message) => m.event === 'vm.state' || m.id === 'end');
    assert.equal(first.id, 'end', `no vm.state events while the agent stays absent, got ${JSON.stringify(first)}`);
    await watcher.close();
    assert.deepEqual(h.logs.filter((l) => /agent|qga/i.test(l)), []);

    await client.request('vm.kill', { id });
    const stopped = VmStatus.parse(((await client.request('vm.get', { id })).result as { status: unknown }).status);
    assert.equal(stopped.guestAgent, null, 'a stopped VM has no agent state');

    await client.request('vm.edit', { id, changes: { sharing: { guestAgent: false } } });
    const off = VmStatus.parse((await client.request('vm.start', { id })).result);
    const offInfo = GuestAgentInfo.parse((await client.request('vm.guestInfo', { id })).result);
    assert.equal(offInfo.state, 'off');
    assert.equal(off.state, 'running');
    const offExec = (await client.request('vm.exec', { id, path: 'true' })).error as { code: string; message: string };
    assert.equal(offExec.code, 'GUEST_AGENT_ABSENT');
    assert.match(offExec.message, /turn on "QEMU guest agent"/);
    await client.request('vm.kill', { id });
    await client.close();
  });
});
