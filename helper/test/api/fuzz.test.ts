import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ApiClient, cheapVm, startHarness, type Harness } from './support/api-harness';
import { fuzzFrames, prng, type FuzzFrame } from './support/fuzz-messages';

const SEED = Number(process.env.OPENUTM_FUZZ_SEED ?? 20240501);
const MESSAGES = 5_000;
const CONNECTIONS = 5;
const HEAP_BOUND = 50 * 1024 * 1024;

// A real heap number needs a real collection; expose gc at run time if the test runner did not.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

// Sends frames on one connection, reconnecting whenever the helper ends it (1007, 1009,
// flood …). After each batch a real request must be answered, which also proves the helper
// has read everything before it.
async function fuzzOn(h: Harness, next: () => FuzzFrame, count: number, seed: number): Promise<{ sent: number; reconnects: number; answered: number }> {
  const r = prng(seed);
  let client = (await ApiClient.ready(h)).client;
  let sent = 0;
  let reconnects = 0;
  let answered = 0;
  while (sent < count) {
    const batch = 1 + Math.floor(r() * 40);
    for (let i = 0; i < batch && sent < count; i++, sent++) {
      const f = next();
      if (client.ws.readyState === client.ws.OPEN) client.ws.send(f.data, { binary: f.binary });
    }
    const probeId = `probe-${sent}`;
    client.send({ id: probeId, method: 'vm.list' });
    const outcome = await Promise.race([client.next((m) => m.id === probeId).then(() => 'answered' as const), client.closed.then(() => 'closed' as const)]);
    if (outcome === 'answered') answered++;
    else {
      reconnects++;
      client = (await ApiClient.ready(h)).client;
    }
  }
  await client.close();
  return { sent, reconnects, answered };
}

describe(`fuzzing the API with ${MESSAGES} messages (seed ${SEED})`, () => {
  let h: Harness;
  let vmsBefore: string[];

  before(async () => {
    // Flood limits raised so the messages reach the parsers instead of ending each socket early.
    h = await startHarness({ limits: { maxBadMessages: 1_000_000 } });
    await h.engine.create(cheapVm('bystander'));
    vmsBefore = await h.vmIds();
  });
  after(() => h.close());

  test('the helper keeps answering, changes nothing, pollutes no prototype and holds its heap', async (t) => {
    // Warm up first so lazy module loading and JIT do not count as growth.
    await fuzzOn(h, fuzzFrames(SEED - 1), 300, SEED - 1);
    const heapBefore = heapUsed();
    const results = await Promise.all(
      Array.from({ length: CONNECTIONS }, (_, i) => fuzzOn(h, fuzzFrames(SEED + i), MESSAGES / CONNECTIONS, SEED + i)),
    );
    const heapAfter = heapUsed();
    t.diagnostic(`heap ${((heapAfter - heapBefore) / 1e6).toFixed(1)} MB; reconnects ${results.map((x) => x.reconnects).join(', ')}; probes answered ${results.map((x) => x.answered).join(', ')}`);

    assert.equal(results.reduce((n, x) => n + x.sent, 0), MESSAGES);
    assert.ok(results.every((x) => x.answered > 0), 'every connection got answers between the junk');
    const { client } = await ApiClient.ready(h);
    const list = await client.request('vm.list');
    assert.deepEqual((list.result as Array<{ config: { id: string } }>).map((v) => v.config.id).sort(), vmsBefore);
    await client.close();
    assert.deepEqual(await h.vmIds(), vmsBefore, 'no VM was created, changed away or deleted');
    assert.deepEqual(h.logs.filter((l) => /internal error/.test(l)), [], 'no message made the helper fail inside');
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched');
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).filter((k) => k === 'polluted'), []);
    assert.ok(
      heapAfter - heapBefore < HEAP_BOUND,
      `heap grew by ${((heapAfter - heapBefore) / 1e6).toFixed(1)} MB (bound ${HEAP_BOUND / 1e6} MB); reconnects: ${results.map((x) => x.reconnects).join(', ')}`,
    );
  });

  test('random first messages never get a welcome and always close the socket', async (t) => {
    const next = fuzzFrames(SEED * 7);
    const codes = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const client = await ApiClient.open(h);
      const f = next();
      client.ws.send(f.data, { binary: f.binary });
      const { code } = await client.closed;
      codes.add(code);
      assert.equal(await Promise.race([client.next(), Promise.resolve('nothing')]), 'nothing', 'nothing is sent before a valid hello');
    }
    t.diagnostic(`close codes seen: ${[...codes].sort().join(', ')}`);
    assert.ok([...codes].every((c) => [1007, 1008, 1009, 4401].includes(c)), `close codes: ${[...codes].join(', ')}`);
    assert.deepEqual(await h.vmIds(), vmsBefore);
  });
});
