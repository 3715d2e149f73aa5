import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_MESSAGE_BYTES } from '@openutm/shared';
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
