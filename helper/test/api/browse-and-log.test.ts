import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HostDirListing, VmLogTail } from '@openutm/shared';
import { kernelGuestRequest, testGuest } from '../support/test-guest';
import { typeInGuest } from '../support/guest-input';
import { waitForPrompt, waitForText } from '../support/wait';
import { ApiClient, startHarness, type Harness, type Message } from './support/api-harness';

const errorOf = (m: Message) => m.error as { code: string; message: string };

// host.browse and vm.log over a real WebSocket against the real engine and a real guest.
describe('host.browse and vm.log', () => {
  let h: Harness;
  let client: ApiClient;
  let dir: string;

  before(async () => {
    h = await startHarness();
    client = (await ApiClient.ready(h)).client;
    dir = await mkdtemp(path.join(os.tmpdir(), 'openutm browse ✓ '));
    await mkdir(path.join(dir, 'sub dir'));
    await writeFile(path.join(dir, 'sub dir', 'disc «1».iso'), 'x'.repeat(10));
  });
  after(async () => {
    await client.close();
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('browses a folder with spaces, unicode and `..` in its path', async () => {
    const answer = await client.request('host.browse', { path: path.join(dir, 'sub dir', '..', 'sub dir') });
    const listing = answer.result as HostDirListing;
    assert.equal(listing.path, path.join(dir, 'sub dir'));
    assert.deepEqual(listing.entries.map((e) => [e.name, e.kind, e.size]), [['disc «1».iso', 'file', 10]]);
    assert.equal(listing.home, os.homedir());
  });

  test('a folder that does not exist and a relative path come back as coded errors; the connection carries on', async () => {
    const missing = await client.request('host.browse', { path: path.join(dir, 'no such folder') });
    assert.equal(errorOf(missing).code, 'NOT_FOUND');
    assert.match(errorOf(missing).message, /no such folder does not exist/);
    assert.equal(errorOf(await client.request('host.browse', { path: 'relative/path' })).code, 'UNSAFE_PATH');
    assert.equal(errorOf(await client.request('host.browse', { path: 'a\u0000b' })).code, 'BAD_REQUEST');
    const home = (await client.request('host.browse', {})).result as HostDirListing;
    assert.ok(home.path.startsWith(os.homedir()), 'no path opens the home folder or its Downloads');
  });

  test('vm.log shows the running guest, then the last run after it stops; bounded by `lines`', async () => {
    const created = (await client.request('vm.create', kernelGuestRequest('log guest'))).result as { config: { id: string } };
    const id = created.config.id;
    const before = (await client.request('vm.log', { id })).result as VmLogTail;
    assert.deepEqual(before, { id, source: 'none', qemu: [], serial: [] });

    await client.request('vm.start', { id });
    await waitForText(h.engine.paths(id).serialLog, testGuest().marker, 180_000);
    const live = (await client.request('vm.log', { id, lines: 1000 })).result as VmLogTail;
    assert.equal(live.source, 'running');
    assert.ok(live.serial.some((l) => l.includes(testGuest().marker)), 'the serial tail holds the ready marker');
    const short = (await client.request('vm.log', { id, lines: 2 })).result as VmLogTail;
    assert.ok(short.serial.length <= 2 && short.serial.length > 0);

    // A burst of output: QEMU's own log repeats a byte whenever its socket write would block
    // (serial-log-file.ts); the log shown holds each byte once.
    const line = '0123456789abcdefghijklmnopqrstuvwxyz';
    const command = `for i in $(seq 1 300); do echo ${line}; done; echo burst-$((2+3))-done`;
    await waitForPrompt(h.engine.paths(id).serialLog, testGuest().marker, '# ', 60_000);
    typeInGuest(h.engine, id, command);
    await waitForText(h.engine.paths(id).serialLog, 'burst-5-done', 120_000);
    const tail = ((await client.request('vm.log', { id, lines: 400 })).result as VmLogTail).serial.map((l) => l.trimEnd());
    // The burst starts after the last copy of the command (the tty may have echoed it before the
    // shell showed it again after its prompt).
    const end = tail.indexOf('burst-5-done');
    const burst = tail.slice(tail.slice(0, end).findLastIndex((l) => l.endsWith(command)) + 1, end);
    assert.equal(burst.length, 300, `300 lines between the command and its end:\n${tail.join('\n')}`);
    assert.deepEqual(burst.filter((l) => l !== line), [], 'every line of the burst arrives unchanged');

    await client.request('vm.kill', { id });
    const kept = (await client.request('vm.log', { id, lines: 1000 })).result as VmLogTail;
    assert.equal(kept.source, 'last-run');
    assert.ok(kept.serial.some((l) => l.includes(testGuest().marker)), 'the last run is kept after the runtime dir is gone');

    assert.equal(errorOf(await client.request('vm.log', { id: 'nosuchvm1' })).code, 'NOT_FOUND');
    assert.equal(errorOf(await client.request('vm.log', { id, lines: 100_000 })).code, 'BAD_REQUEST');
  });
});
