import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, PROTOCOL_VERSION } from '@openutm/shared';
import { startApiServer } from '../../src/api/server';
import type { PluggedHandlers } from '../../src/api/handlers';
import { ApiClient, cheapVm, startHarness, until, type Harness, type Message } from './support/api-harness';

const isEvent = (name: string, id?: string) => (m: Message) =>
  m.event === name && (id === undefined || (m.data as { id?: string } | undefined)?.id === id);

// Engine events reach every authenticated client, match the EVENTS schemas, and stop when the
// client or the server goes away.
describe('events', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('create, edit and delete tell every client vm.changed / vm.removed', async () => {
    const { client: a } = await ApiClient.ready(h);
    const { client: b } = await ApiClient.ready(h);
    const { config } = (await a.request('vm.create', cheapVm('evented'))).result as { config: { id: string } };
    for (const c of [a, b]) assert.deepEqual((await c.next(isEvent('vm.changed', config.id))).data, { id: config.id });
    await b.request('vm.edit', { id: config.id, changes: { notes: 'hello' } });
    for (const c of [a, b]) await c.next(isEvent('vm.changed', config.id));
    await a.request('vm.delete', { id: config.id, confirmName: 'evented' });
    for (const c of [a, b]) {
      const removed = await c.next(isEvent('vm.removed', config.id));
      assert.ok(EVENTS['vm.removed'].safeParse(removed.data).success);
    }
    await a.close();
    await b.close();
  });

  test('a socket that has not said hello gets no events; its first message is the welcome', async () => {
    const quiet = await ApiClient.open(h);
    const { client: other } = await ApiClient.ready(h);
    const { config } = await h.engine.create(cheapVm('unseen'));
    await other.next(isEvent('vm.changed', config.id));
    quiet.send({ type: 'hello', token: h.token, protocol: PROTOCOL_VERSION, client: { name: 'late', version: '0' } });
    assert.equal((await quiet.next()).type, 'welcome');
    await h.engine.delete(config.id, 'unseen');
    assert.equal((await quiet.next()).event, 'vm.removed', 'events start after the welcome');
    await quiet.close();
    await other.close();
  });

  test('many clients share one engine subscription, and closing them leaves none behind', async () => {
    const clients = await Promise.all(Array.from({ length: 15 }, () => ApiClient.ready(h).then((r) => r.client)));
    assert.equal(h.engine.listenerCount('changed'), 1);
    assert.equal(h.engine.listenerCount('state'), 1);
    const { config } = await h.engine.create(cheapVm('broadcast'));
    for (const c of clients) await c.next(isEvent('vm.changed', config.id));
    await Promise.all(clients.map((c) => c.close()));
    await until(() => h.auth.listenerCount() === 0, 'every connection cleaned up');
    await h.engine.delete(config.id, 'broadcast');
  });

  test('closing a server unsubscribes it from the engine', async () => {
    const before_ = ['state', 'changed', 'removed'].map((e) => h.engine.listenerCount(e));
    const second = await startApiServer({ engine: h.engine, auth: h.auth, port: 0, origins: [], helperVersion: 't', handlers: {} as PluggedHandlers, log: () => undefined });
    assert.deepEqual(['state', 'changed', 'removed'].map((e) => h.engine.listenerCount(e)), before_.map((n) => n + 1));
    await second.close();
    assert.deepEqual(['state', 'changed', 'removed'].map((e) => h.engine.listenerCount(e)), before_);
  });

  test('starting and killing a VM under QEMU sends vm.state events that match the schema', async (t) => {
    if ((await h.engine.list()).length > 0) throw new Error('expected an empty library');
    const { client } = await ApiClient.ready(h);
    const { config } = (await client.request('vm.create', cheapVm('booted', { system: { memoryMiB: 64, cpus: 1, firmware: 'bios' } })))
      .result as { config: { id: string } };
    const started = await client.request('vm.start', { id: config.id });
    if (started.error) {
      t.skip(`QEMU could not start here: ${(started.error as { message: string }).message}`);
      return;
    }
    const states: string[] = [];
    const seen = (want: string) => client.next((m) => {
      if (m.event !== 'vm.state' || (m.data as { id: string }).id !== config.id) return false;
      assert.ok(EVENTS['vm.state'].safeParse(m.data).success, 'vm.state data matches EVENTS');
      states.push((m.data as { state: string }).state);
      return (m.data as { state: string }).state === want;
    });
    await seen('running');
    assert.equal(((await client.request('vm.kill', { id: config.id })).result as { state: string }).state, 'stopped');
    await seen('stopped');
    assert.ok(states.includes('running') && states.at(-1) === 'stopped', states.join(' → '));
    await client.close();
  });
});
