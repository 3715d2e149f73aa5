import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { OpenUtmError, PROTOCOL_VERSION, type VmStatus } from '@openutm/shared';
import { ApiClient, originFor } from './api-client';
import { connectionProblem, isHelperUnreachable } from './client-errors';
import { FixturePeer, type FixturePeerOptions } from './fixture-peer';

const TOKEN = 'the-right-token';
let peer: FixturePeer | null = null;
let client: ApiClient | null = null;
afterEach(async () => {
  await client?.close();
  await peer?.close();
  client = null;
  peer = null;
});

function status(id: string, state: VmStatus['state'] = 'running'): VmStatus {
  return { id, name: `vm ${id}`, state, since: '2024-05-01T12:00:00.000Z', pid: null, crash: null, lastShutdown: null };
}

async function connected(opts: FixturePeerOptions = {}): Promise<ApiClient> {
  peer = await FixturePeer.start({ tokens: { [TOKEN]: 'test client' }, ...opts });
  client = await ApiClient.connect({ url: peer.url, token: TOKEN, clientName: 'api-client test' });
  return client;
}

async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<OpenUtmError> {
  let caught: unknown;
  await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => (caught = e),
  );
  assert.ok(caught instanceof OpenUtmError, `expected an OpenUtmError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

// A promise the test settles by hand, to answer calls in the order it chooses.
function gate<T>() {
  let open!: (v: T) => void;
  const promise = new Promise<T>((r) => (open = r));
  return { promise, open };
}

test('hello → welcome: the client learns the helper version and the agreed protocol', async () => {
  const c = await connected({ helperVersion: '1.2.3' });
  assert.equal(c.welcome.helperVersion, '1.2.3');
  assert.equal(c.welcome.protocol, PROTOCOL_VERSION);
  assert.deepEqual(c.welcome.capabilities, ['fixture']);
});

test('answers are matched to calls by id, whatever order they come in', async () => {
  const slow = gate<VmStatus>();
  const c = await connected({
    handlers: {
      'vm.status': (params) => {
        const { id } = params as { id: string };
        return id === 'slowvm' ? slow.promise : status(id);
      },
    },
  });
  const first = c.call('vm.status', { id: 'slowvm' });
  const second = c.call('vm.status', { id: 'fastvm' });
  assert.equal((await second).id, 'fastvm');
  slow.open(status('slowvm', 'paused'));
  const a = await first;
  assert.equal(a.id, 'slowvm');
  assert.equal(a.state, 'paused');
  assert.deepEqual(peer!.requests.map((r) => r.id), [1, 2]);
  assert.equal(c.pendingCalls, 0);
});

test('a helper error comes back as an OpenUtmError with the same code, message and details', async () => {
  const c = await connected({
    handlers: {
      'vm.start': () => {
        throw new OpenUtmError('INVALID_STATE', 'the VM is running already', { state: 'running' });
      },
    },
  });
  const e = await rejectsWith(c.call('vm.start', { id: 'abcdef' }), 'INVALID_STATE', /running already/);
  assert.deepEqual(e.details, { state: 'running' });
});

test('an error code this client does not know still settles the call', async () => {
  const c = await connected();
  peer!.silent.add('vm.kill');
  const call = c.call('vm.kill', { id: 'abcdef' });
  await new Promise((r) => setImmediate(r));
  while (peer!.requests.length === 0) await new Promise((r) => setImmediate(r));
  peer!.sendRaw({ id: 1, error: { code: 'SOMETHING_NEW', message: 'a newer helper says no' } });
  const e = await rejectsWith(call, 'INTERNAL', /newer helper says no/);
  assert.equal(e.details?.helperCode, 'SOMETHING_NEW');
});

test('params are checked before sending: BAD_REQUEST and nothing on the wire', async () => {
  const c = await connected();
  await rejectsWith(c.call('vm.get', { id: 'NOT AN ID' }), 'BAD_REQUEST', /^vm\.get: id/);
  assert.equal(peer!.requests.length, 0);
});

test('a result that does not match the schema is refused, not passed on', async () => {
  const c = await connected({ handlers: { 'vm.status': () => ({ nonsense: true }) } });
  await rejectsWith(c.call('vm.status', { id: 'abcdef' }), 'INTERNAL', /same version/);
});

test('when the socket closes, every pending call is rejected with a clear error', async () => {
  const c = await connected();
  peer!.silent.add('vm.stop');
  const closed = new Promise<OpenUtmError>((r) => c.onClose(r));
  const calls = [c.call('vm.stop', { id: 'abcdef' }), c.call('vm.stop', { id: 'ghijkl' })];
  while (peer!.requests.length < 2) await new Promise((r) => setImmediate(r));
  peer!.dropConnections();
  for (const call of calls) {
    const e = await rejectsWith(call, 'HELPER_UNAVAILABLE', /closed before it answered vm\.stop.*may or may not/);
    assert.equal(connectionProblem(e), 'closed');
  }
  assert.equal(connectionProblem(await closed), 'closed');
  await rejectsWith(c.call('vm.list', {}), 'HELPER_UNAVAILABLE', /closed/);
});

test('a call that gets no answer times out with its own error', async () => {
  const c = await connected();
  peer!.silent.add('vm.reset');
  const e = await rejectsWith(c.call('vm.reset', { id: 'abcdef' }, { timeoutMs: 1 }), 'HELPER_UNAVAILABLE', /did not answer vm\.reset/);
  assert.equal(connectionProblem(e), 'timeout');
  assert.equal(c.pendingCalls, 0);
});

test('events reach their subscribers, checked against the event schema', async () => {
  const c = await connected();
  const seen: string[] = [];
  const off = c.on('vm.changed', (d) => seen.push(d.id));
  const done = new Promise<void>((resolve) => c.on('vm.removed', () => resolve()));
  peer!.broadcast('vm.changed', { id: 'abcdef' });
  peer!.broadcast('vm.changed', { nonsense: 1 });
  peer!.broadcast('vm.removed', { id: 'abcdef' });
  await done;
  assert.deepEqual(seen, ['abcdef']);
  off();
  const done2 = new Promise<void>((resolve) => c.on('vm.removed', () => resolve()));
  peer!.broadcast('vm.changed', { id: 'ghijkl' });
  peer!.broadcast('vm.removed', { id: 'abcdef' });
  await done2;
  assert.deepEqual(seen, ['abcdef']);
});

test('a wrong token is UNAUTHORIZED', async () => {
  peer = await FixturePeer.start({ tokens: { [TOKEN]: 'x' } });
  await rejectsWith(ApiClient.connect({ url: peer.url, token: 'wrong', clientName: 't' }), 'UNAUTHORIZED', /pair again/);
});

test('the Origin header is the helper’s own origin; a refused upgrade says so', async () => {
  peer = await FixturePeer.start({ tokens: { [TOKEN]: 'x' } });
  assert.equal(originFor(peer.url), `http://127.0.0.1:${peer.port}`);
  await rejectsWith(
    ApiClient.connect({ url: peer.url, token: TOKEN, clientName: 't', origin: 'http://evil.example' }),
    'UNAUTHORIZED',
    /HTTP 403.*not allowed/,
  );
});

test('a helper speaking a newer or older protocol is named plainly', async () => {
  peer = await FixturePeer.start({ tokens: { [TOKEN]: 'x' }, protocol: PROTOCOL_VERSION + 1, helperVersion: '7.0.0' });
  const newer = await rejectsWith(ApiClient.connect({ url: peer.url, token: TOKEN, clientName: 't' }), 'IO_ERROR', /helper \(OpenUTM 7\.0\.0.*is newer than this openutm.*update this openutm/);
  assert.equal(connectionProblem(newer), 'protocol');
  await peer.close();
  peer = await FixturePeer.start({ tokens: { [TOKEN]: 'x' }, protocol: 0 });
  await rejectsWith(ApiClient.connect({ url: peer.url, token: TOKEN, clientName: 't' }), 'IO_ERROR', /too old for this openutm/);
});

test('nothing listening is "unreachable", so the CLI knows to start a helper', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const e = await rejectsWith(ApiClient.connect({ url: `ws://127.0.0.1:${port}/api`, token: TOKEN, clientName: 't' }), 'HELPER_UNAVAILABLE', /no OpenUTM helper is listening/);
  assert.ok(isHelperUnreachable(e));
});

test('a server that is not an OpenUTM helper is named as such', async () => {
  peer = await FixturePeer.start({ tokens: { [TOKEN]: 'x' } });
  const e = await rejectsWith(
    ApiClient.connect({ url: `ws://127.0.0.1:${peer.port}/elsewhere`, token: TOKEN, clientName: 't', origin: `http://127.0.0.1:${peer.port}` }),
    'UNAUTHORIZED',
  );
  assert.match(e.message, /403/);
});
