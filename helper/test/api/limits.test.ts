import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from '@openutm/shared';
import { ApiClient, cheapVm, startHarness, type Harness } from './support/api-harness';

// What one misbehaving client can cost the helper is bounded, and the others do not notice.
describe('frame size', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('a frame over MAX_MESSAGE_BYTES closes that socket with 1009; others are still served', async () => {
    const { client: bystander } = await ApiClient.ready(h);
    const { client: big } = await ApiClient.ready(h);
    big.send(JSON.stringify({ id: 1, method: 'vm.create', params: { ...cheapVm('huge'), notes: 'x'.repeat(MAX_MESSAGE_BYTES) } }));
    assert.equal((await big.closed).code, 1009);
    // Before hello too.
    const early = await ApiClient.open(h);
    early.send(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20));
    assert.equal((await early.closed).code, 1009);
    assert.deepEqual((await bystander.request('vm.list')).result, []);
    assert.deepEqual(await h.vmIds(), []);
    await bystander.close();
  });

  test('a frame just under the limit is read (and refused on its merits)', async () => {
    const { client } = await ApiClient.ready(h);
    const r = await client.request('vm.create', { ...cheapVm('big notes'), notes: 'x'.repeat(MAX_MESSAGE_BYTES - 1000) });
    assert.equal((r.error as { code: string }).code, 'BAD_REQUEST');
    assert.deepEqual(await h.vmIds(), []);
    await client.close();
  });
});

describe('a client that stops reading', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ limits: { maxBufferedBytes: 256 * 1024, maxInFlight: 100_000 } });
    // Twenty VMs with long notes make each vm.list answer ~200 KB.
    for (let i = 0; i < 20; i++) await h.engine.create(cheapVm(`bulky ${i}`, { notes: 'n'.repeat(10_000) }));
  });
  after(() => h.close());

  test('is dropped with 1013 once its queue passes the bound, instead of buffering forever', async () => {
    const { client: bystander } = await ApiClient.ready(h);
    const { client } = await ApiClient.ready(h);
    client.ws.pause();
    // Keep asking until the kernel buffers are full and the helper gives up on the client.
    let sent = 0;
    while (!h.logs.some((l) => /not reading/.test(l))) {
      assert.ok(sent < 5_000, 'the helper should have dropped the client long before this');
      for (let i = 0; i < 20; i++) client.send({ id: sent++, method: 'vm.list' });
      await new Promise((r) => setTimeout(r, 20));
    }
    client.ws.resume();
    const { code } = await client.closed;
    assert.equal(code, 1013);
    assert.equal(((await bystander.request('vm.list')).result as unknown[]).length, 20);
    await bystander.close();
  });
});

describe('a client that stops answering pings', () => {
  let h: Harness;
  before(async () => (h = await startHarness({ limits: { pingIntervalMs: 100 } })));
  after(() => h.close());

  test('is dropped', async () => {
    const { client } = await ApiClient.ready(h);
    client.ws.pause();
    await h.waitForLog(/did not answer a ping/);
    client.ws.resume();
    assert.equal((await client.closed).code, 1006);
    const { client: fresh } = await ApiClient.ready(h);
    assert.deepEqual((await fresh.request('vm.list')).result, []);
    await fresh.close();
  });
});

describe('connections that have not said hello', () => {
  let h: Harness;
  // A long hello deadline, so that only the cap (not the clock) decides here.
  before(async () => (h = await startHarness({ limits: { helloTimeoutMs: 120_000 } })));
  after(() => h.close());

  // Regression: the 33rd was refused, so 32 silent sockets (a VM's guest can open them through
  // 10.0.2.2) kept the real UI and CLI out for as long as they kept reconnecting.
  test('at most 32 wait at once; a 33rd evicts the one that waited longest (1013), and gets in', async () => {
    const { client: authenticated } = await ApiClient.ready(h);
    const waiting: ApiClient[] = [];
    for (let i = 0; i < 32; i++) waiting.push(await ApiClient.open(h));
    const newcomer = await ApiClient.open(h);
    // Whichever closes first: the oldest (evicted) or, as before the fix, the newcomer (refused).
    const first = await Promise.race([waiting[0]!.closed.then((c) => ({ who: 'oldest', ...c })), newcomer.closed.then((c) => ({ who: 'newcomer', ...c }))]);
    assert.equal(first.who, 'oldest', `the ${first.who} was closed: ${first.reason}`);
    const { code, reason } = first;
    assert.equal(code, 1013);
    assert.match(reason, /too many connections were waiting to say hello \(32\) and this one waited longest/);
    newcomer.send({ type: 'hello', token: h.token, protocol: PROTOCOL_VERSION, client: { name: 'newcomer', version: '0' } });
    assert.equal((await newcomer.next()).type, 'welcome');
    // The others still wait (none was closed besides the oldest)…
    const second = waiting[1]!;
    second.send({ type: 'hello', token: h.token, protocol: PROTOCOL_VERSION, client: { name: 'second', version: '0' } });
    assert.equal((await second.next()).type, 'welcome');
    // …and an authenticated connection is never one of them.
    for (let i = 0; i < 40; i++) await ApiClient.open(h);
    assert.deepEqual((await authenticated.request('vm.list')).result, []);
    assert.deepEqual((await newcomer.request('vm.list')).result, []);
    for (const c of [newcomer, second, authenticated]) await c.close();
  });
});
