import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DiscBoot, HostDirListing } from '@openutm/shared';
import { testGuest } from '../support/test-guest';
import { ApiClient, startHarness, type Harness, type Message } from './support/api-harness';

const errorOf = (m: Message) => m.error as { code: string; message: string };

// host.inspectMedia (and host.browse's places) over a real WebSocket against the real helper.
describe('host.inspectMedia', () => {
  let h: Harness;
  let client: ApiClient;
  let dir: string;

  before(async () => {
    h = await startHarness();
    client = (await ApiClient.ready(h)).client;
    dir = await mkdtemp(path.join(os.tmpdir(), 'openutm inspect ✓ '));
  });
  after(async () => {
    await client.close();
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('reads the test guest ISO: BIOS and UEFI', async () => {
    const answer = await client.request('host.inspectMedia', { path: testGuest().iso });
    assert.deepEqual(answer.result as DiscBoot, { path: testGuest().iso, format: 'iso9660', bios: true, uefi: true });
  });

  test('a folder, a missing file and a relative path are refused with a code and what to do', async () => {
    const folder = errorOf(await client.request('host.inspectMedia', { path: dir }));
    assert.equal(folder.code, 'UNSAFE_PATH');
    assert.match(folder.message, /is not a regular file/);
    const missing = errorOf(await client.request('host.inspectMedia', { path: path.join(dir, 'gone.iso') }));
    assert.deepEqual([missing.code, /does not exist; choose another file/.test(missing.message)], ['NOT_FOUND', true]);
    const relative = errorOf(await client.request('host.inspectMedia', { path: 'disc.iso' }));
    assert.match(relative.code, /BAD_REQUEST|UNSAFE_PATH|INVALID_PARAMS/);
  });

  test('host.browse lists the places that exist, home first', async () => {
    const listing = (await client.request('host.browse', { path: dir })).result as HostDirListing;
    assert.equal(listing.places?.[0]?.kind, 'home');
    assert.equal(listing.places?.[0]?.path, listing.home);
  });
});
