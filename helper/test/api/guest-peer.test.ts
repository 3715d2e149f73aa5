import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { qemuPeerCheck } from '../../src/api/qemu-peer-check';
import { typeInGuest } from '../support/guest-input';
import { kernelGuestRequest, testGuest } from '../support/test-guest';
import { waitForPrompt, waitForText } from '../support/wait';
import { ApiClient, startHarness, type Harness } from './support/api-harness';

// A guest with user-mode networking reaches the host's 127.0.0.1 as 10.0.2.2; its connections
// leave through its own QEMU process, which is how the helper (on Linux) tells them apart.
describe('connections from a guest', { skip: process.platform !== 'linux' && 'the peer check reads Linux /proc' }, () => {
  let h: Harness;
  let checking = true;
  let id = '';
  let client: ApiClient;
  before(async () => {
    const check = qemuPeerCheck(() => h.engine.qemuPids());
    h = await startHarness({ peerCheck: (peer) => (checking ? check(peer) : Promise.resolve(false)) });
    ({ client } = await ApiClient.ready(h));
    const created = (await client.request('vm.create', kernelGuestRequest('peer guest'))).result as { config: { id: string } };
    id = created.config.id;
    await client.request('vm.start', { id });
    await waitForPrompt(h.engine.paths(id).serialLog, testGuest().marker, '# ', 180_000);
  });
  after(async () => {
    await client.request('vm.kill', { id }).catch(() => undefined);
    await client.close();
    await h.close();
  });

  // What the guest's busybox nc gets back for one request to the helper (the tag's quotes keep
  // the typed command itself from matching what the test waits for).
  async function fromGuest(tag: string): Promise<string> {
    const request = `GET / HTTP/1.1\\r\\nHost: 10.0.2.2:${h.port}\\r\\nConnection: close\\r\\n\\r\\n`;
    typeInGuest(h.engine, id, `printf '${request}' | nc 10.0.2.2 ${h.port} | head -1; echo "${tag}""-done"`);
    await waitForText(h.engine.paths(id).serialLog, `${tag}-done`, 120_000);
    const log = await readFile(h.engine.paths(id).serialLog, 'utf8');
    return log.slice(log.lastIndexOf(`""-done`), log.lastIndexOf(`${tag}-done`));
  }

  test('without the check the guest reaches the helper (and is refused on Host): the network works', async () => {
    checking = false;
    const out = await fromGuest('open');
    assert.match(out, /HTTP\/1\.1 403 Forbidden/);
  });

  test("with it the guest's connection is closed before any HTTP, and the local client is served", async () => {
    checking = true;
    const out = await fromGuest('guarded');
    assert.doesNotMatch(out, /HTTP/);
    await h.waitForLog(/refused connections from a VM guest/);
    assert.equal(((await client.request('vm.list')).result as unknown[]).length, 1);
  });
});
