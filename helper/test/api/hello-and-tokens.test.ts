import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURES, METHODS, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from '@openutm/shared';
import { ApiClient, cheapVm, startHarness, until, type Harness } from './support/api-harness';

const hello = (token: string, protocol = PROTOCOL_VERSION) => ({ type: 'hello', token, protocol, client: { name: 'api test', version: '0' } });

// Nothing but a valid hello with a valid token is read first; a token that dies takes its
// connections with it.
describe('hello and tokens', () => {
  let h: Harness;
  let before_: string[];

  before(async () => {
    h = await startHarness({ limits: { helloTimeoutMs: 300 } });
    await h.engine.create(cheapVm('existing'));
    before_ = await h.vmIds();
  });
  after(() => h.close());

  test('a valid hello gets a welcome with the agreed protocol and the methods served', async () => {
    const { client, welcome } = await ApiClient.ready(h);
    assert.equal(welcome.type, 'welcome');
    assert.equal(welcome.helperVersion, '0.0.0-test');
    assert.equal(welcome.protocol, PROTOCOL_VERSION);
    assert.ok(Array.isArray(welcome.capabilities) && welcome.capabilities.includes('vm.list'));
    // The UI switches off what the welcome does not list: this helper must list all it serves.
    assert.deepEqual(Object.keys(METHODS).filter((m) => !(welcome.capabilities as string[]).includes(m)), []);
    // …and the abilities a newer UI must not assume (vm.edit's disk, CD drive and preset edits).
    assert.ok((welcome.capabilities as string[]).includes(FEATURES.driveEdits));
    await client.close();
  });

  test('a newer client is answered in the helper protocol (the lower of the two)', async () => {
    const client = await ApiClient.open(h);
    client.send(hello(h.token, PROTOCOL_VERSION + 5));
    const welcome = await client.next();
    assert.equal(welcome.protocol, PROTOCOL_VERSION);
    await client.close();
  });

  test('a wrong token is closed with 4401 and the request sent with it is never run', async () => {
    const client = await ApiClient.open(h);
    client.send(hello('not-a-token'));
    client.send({ id: 1, method: 'vm.create', params: cheapVm('sneaky') });
    const { code, reason } = await client.closed;
    assert.equal(code, 4401);
    assert.match(reason, /pair this client again/);
    assert.deepEqual(await h.vmIds(), before_);
  });

  test('a request instead of a hello closes the socket (1008) and is not run', async () => {
    const client = await ApiClient.open(h);
    client.send({ id: 1, method: 'vm.create', params: cheapVm('before hello') });
    const { code, reason } = await client.closed;
    assert.equal(code, 1008);
    assert.match(reason, /first message must be/);
    assert.deepEqual(await h.vmIds(), before_);
  });

  test('garbage, binary and malformed hellos all close with 1008', async () => {
    const firsts: Array<string | Buffer> = [
      'not json',
      Buffer.from([0, 1, 2, 3]),
      JSON.stringify({ type: 'hello', token: h.token }),
      JSON.stringify({ type: 'hello', token: h.token, protocol: '1', client: { name: 'x', version: '0' } }),
      JSON.stringify({ type: 'welcome', token: h.token, protocol: 1, client: { name: 'x', version: '0' } }),
      JSON.stringify([hello(h.token)]),
    ];
    for (const first of firsts) {
      const client = await ApiClient.open(h);
      client.send(first);
      assert.equal((await client.closed).code, 1008, String(first));
    }
    assert.deepEqual(await h.vmIds(), before_);
  });

  test('no hello within the limit closes with 1008', async () => {
    const client = await ApiClient.open(h);
    const { code, reason } = await client.closed;
    assert.equal(code, 1008);
    assert.match(reason, /no hello within/);
  });

  test('a client older than MIN_PROTOCOL_VERSION is told to update (4426)', async () => {
    const client = await ApiClient.open(h);
    client.send(hello(h.token, MIN_PROTOCOL_VERSION - 1));
    const { code, reason } = await client.closed;
    // While MIN_PROTOCOL_VERSION is 1, protocol 0 already fails the Hello schema (min 1).
    if (MIN_PROTOCOL_VERSION > 1) {
      assert.equal(code, 4426);
      assert.match(reason, /update the OpenUTM app/);
    } else assert.equal(code, 1008);
  });

  test('revoking a token closes its live connections at once (4401) and leaves others open', async () => {
    const other = h.auth.issueToken('second client');
    const { client: doomed } = await ApiClient.ready(h, other.token);
    const { client: survivor } = await ApiClient.ready(h);
    h.auth.revoke(other.tokenId);
    const { code, reason } = await doomed.closed;
    assert.equal(code, 4401);
    assert.match(reason, /revoked/);
    const list = await survivor.request('vm.list');
    assert.ok(Array.isArray(list.result));
    // A revoked token cannot come back.
    const again = await ApiClient.open(h);
    again.send(hello(other.token));
    assert.equal((await again.closed).code, 4401);
    await survivor.close();
    assert.deepEqual(await h.vmIds(), before_);
  });

  test('closed connections leave no revocation listeners behind', async () => {
    const { client } = await ApiClient.ready(h);
    assert.ok(h.auth.listenerCount() >= 1);
    await client.close();
    await until(() => h.auth.listenerCount() === 0, 'the revocation listener is removed on close');
  });
});
