import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { VmCreateRequest } from '@openutm/shared';
import { VmEngine } from '../../src/vm-service/vm-engine';
import { lazyHostFacts } from '../../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../../src/runtime/runtime-paths';
import { vmBundlePaths } from '../../src/vm-library/library-paths';
import { ConsoleTickets } from '../../src/console-bridge/console-tickets';
import { consoleOpen, vmScreenshot } from '../../src/console-bridge/console-methods';
import { pngSize } from '../../src/console-bridge/ppm-to-png';
import { kernelGuestRequest, testGuest } from '../support/test-guest';
import { waitForText } from '../support/wait';
import { startConsoleServer, openConsole } from './console-server';
import { CHANNEL, LINK_ERR_OK, MSG_DISPLAY_SURFACE_CREATE, MSG_MAIN_INIT, displayInit, PUBKEY_BYTES, authenticate, linkMessage, readLinkReply, readMessage, usesMiniHeader } from './spice-link';
import { NO_SPICE } from '../support/qemu-features';

const guest = testGuest();
const facts = lazyHostFacts();
const homes: string[] = [];

after(async () => {
  for (const home of homes) await rm(home, { recursive: true, force: true });
});

async function openEngine(): Promise<VmEngine> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'openutm-console-'));
  homes.push(home);
  return VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: facts, acceleratorOverride: 'tcg' });
}

function kernelGuest(name: string, display: 'spice' | 'vnc'): VmCreateRequest {
  return kernelGuestRequest(name, { display: { type: display } });
}

describe('the consoles of a running test guest (SPICE display)', { skip: NO_SPICE }, () => {
  let engine: VmEngine;
  let id: string;
  let otherId: string;
  let tickets: ConsoleTickets;
  let clock = Date.now();
  let server: Awaited<ReturnType<typeof startConsoleServer>>;

  before(async () => {
    engine = await openEngine();
    tickets = new ConsoleTickets({ now: () => clock, maxOpens: 16 });
    server = await startConsoleServer({ engine, tickets });
    id = (await engine.create(kernelGuest('console', 'spice'))).config.id;
    otherId = (await engine.create(kernelGuest('other', 'spice'))).config.id;
    await engine.start(id);
    await waitForText(engine.paths(id).serialLog, guest.marker, 90_000);
  });
  after(async () => {
    const { status } = await engine.get(id);
    if (status.crash) console.log('DEBUG CRASH', JSON.stringify(status.crash));
    await engine.kill(id).catch(() => undefined);
    await server.close();
    await engine.close();
  });

  const url = (vm: string, ticket: string, channel?: string): string =>
    `${server.base}/console/${vm}?ticket=${encodeURIComponent(ticket)}${channel ? `&channel=${channel}` : ''}`;

  test('console.open names the protocol and the path', async () => {
    const display = await consoleOpen({ engine, tickets }, { id, channel: 'display' });
    assert.equal(display.protocol, 'spice');
    assert.equal(display.path, `/console/${id}`);
    assert.ok(Date.parse(display.expiresAt) > clock);
    assert.equal((await consoleOpen({ engine, tickets }, { id, channel: 'serial' })).protocol, 'serial');
    await assert.rejects(consoleOpen({ engine, tickets }, { id: otherId, channel: 'display' }), { code: 'INVALID_STATE' });
  });

  test('a SPICE session links its main and display channels through the bridge', async () => {
    const { ticket } = await consoleOpen({ engine, tickets }, { id, channel: 'display' });
    const opened = await openConsole(url(id, ticket));
    assert.ok('ws' in opened, `the main channel opens (${JSON.stringify(opened)})`);
    assert.equal(opened.ws.protocol, 'binary', 'the subprotocol is echoed');
    const main = opened.stream;
    main.send(linkMessage(CHANNEL.main, 0));
    const reply = await readLinkReply(main);
    assert.equal(reply.magic, 'REDQ');
    assert.deepEqual([reply.major, reply.minor], [2, 2]);
    assert.equal(reply.error, LINK_ERR_OK);
    assert.equal(reply.pubKey.length, PUBKEY_BYTES);
    assert.equal(await authenticate(main, reply), LINK_ERR_OK, 'the empty ticket is accepted (disable-ticketing)');
    const init = await readMessage(main, MSG_MAIN_INIT, usesMiniHeader(reply));
    const sessionId = init.readUInt32LE(0);
    assert.notEqual(sessionId, 0, 'SPICE_MSG_MAIN_INIT carries a session id');

    // A second WebSocket with the same ticket: the display channel of the same session.
    const second = await openConsole(url(id, ticket));
    assert.ok('ws' in second, 'the same ticket opens the next channel');
    const display = second.stream;
    display.send(linkMessage(CHANNEL.display, sessionId));
    const displayReply = await readLinkReply(display);
    assert.equal(displayReply.error, LINK_ERR_OK, 'the display channel links to the session');
    assert.equal(await authenticate(display, displayReply), LINK_ERR_OK);
    display.send(displayInit(usesMiniHeader(displayReply)));
    const surface = await readMessage(display, MSG_DISPLAY_SURFACE_CREATE, usesMiniHeader(displayReply));
    const [width, height] = [surface.readUInt32LE(4), surface.readUInt32LE(8)];
    assert.ok(width > 0 && height > 0, `the screen surface arrives through the bridge (${width}x${height})`);
    // Closing display ends the whole session through the bridge, main first (spice-close-order.test.ts).
    const displayClosed = once(second.ws, 'close');
    second.ws.close();
    await displayClosed;
    opened.ws.close();
  });

  test('the serial console replays the boot and runs a command', async () => {
    const { ticket } = await consoleOpen({ engine, tickets }, { id, channel: 'serial' });
    const opened = await openConsole(url(id, ticket, 'serial'), []);
    assert.ok('ws' in opened, 'the serial console opens without a subprotocol');
    const serial = opened.stream;
    await serial.waitForText(guest.marker, 10_000);
    opened.ws.send('echo hello-$((6*7))\n');
    await serial.waitForText('hello-42');
    assert.ok(serial.allBinary, 'serial output comes as binary frames');
    // A second viewer gets the scrollback, including what the first one typed.
    const again = await openConsole(url(id, (await consoleOpen({ engine, tickets }, { id, channel: 'serial' })).ticket, 'serial'));
    assert.ok('ws' in again);
    const second = again.stream;
    await second.waitForText('hello-42', 10_000);
    again.ws.send(Buffer.from('echo from-$((2+3))-second\n'), { binary: true });
    await serial.waitForText('from-5-second');
    await second.waitForText('from-5-second');
    again.ws.close();
    opened.ws.close();
  });

  test('a used-up, an expired and another VM’s ticket are refused before the handshake', async () => {
    const few = new ConsoleTickets({ now: () => clock, maxOpens: 2 });
    const fewServer = await startConsoleServer({ engine, tickets: few });
    try {
      const furl = (vm: string, t: string): string => `${fewServer.base}/console/${vm}?ticket=${encodeURIComponent(t)}`;
      const { ticket } = few.issue(id);
      for (let i = 0; i < 2; i++) {
        const ok = await openConsole(furl(id, ticket));
        assert.ok('ws' in ok);
        ok.ws.close();
      }
      const replay = await openConsole(furl(id, ticket));
      assert.ok('refused' in replay && replay.refused === 403, 'a replay after the last open is refused');
      assert.match(replay.body, /used up/);

      const late = few.issue(id).ticket;
      clock += 31_000;
      const expired = await openConsole(furl(id, late));
      assert.ok('refused' in expired && expired.refused === 403);
      assert.match(expired.body, /expired/);

      const forOther = few.issue(otherId).ticket;
      const wrong = await openConsole(furl(id, forOther));
      assert.ok('refused' in wrong && wrong.refused === 403);
      assert.match(wrong.body, /another VM/);

      const serialWithDisplayTicket = await openConsole(`${furl(id, few.issue(id).ticket)}&channel=serial`);
      assert.ok('refused' in serialWithDisplayTicket && serialWithDisplayTicket.refused === 403);

      const stopped = await openConsole(furl(otherId, few.issue(otherId).ticket));
      assert.ok('refused' in stopped && stopped.refused === 409, 'a stopped VM has no console');
      assert.match(stopped.body, /start it first/);
    } finally {
      await fewServer.close();
    }
  });

  test('a screenshot is a PNG of the screen, kept as latest.png', async () => {
    const { png, takenAt } = await vmScreenshot({ engine, tickets }, { id });
    const bytes = Buffer.from(png, 'base64');
    const size = pngSize(bytes);
    assert.ok(size && size.width > 0 && size.height > 0, `a PNG with a size (${JSON.stringify(size)})`);
    assert.ok(Date.parse(takenAt) > 0);
    const kept = await readFile(path.join(vmBundlePaths(engine.library.root, id).screenshots, 'latest.png'));
    assert.deepEqual(kept, bytes);
    await assert.rejects(engine.screenshot(otherId), { code: 'INVALID_STATE' });
  });

  test('stopping the VM closes the serial console with a reason', async () => {
    const opened = await openConsole(url(id, (await consoleOpen({ engine, tickets }, { id, channel: 'serial' })).ticket, 'serial'));
    assert.ok('ws' in opened);
    const closed = new Promise<[number, string]>((resolve) => opened.ws.once('close', (code: number, reason: Buffer) => resolve([code, reason.toString()])));
    await engine.kill(id);
    const [code, reason] = await closed;
    assert.equal(code, 1001);
    assert.match(reason, /VM stopped/);
  });
});

describe('a VM with a VNC display', () => {
  test('the console bridges to QEMU’s VNC server (RFB greeting)', async () => {
    const engine = await openEngine();
    const tickets = new ConsoleTickets();
    const server = await startConsoleServer({ engine, tickets });
    const { id } = (await engine.create(kernelGuest('vnc', 'vnc'))).config;
    try {
      await engine.start(id);
      const { ticket, protocol } = await consoleOpen({ engine, tickets }, { id, channel: 'display' });
      assert.equal(protocol, 'vnc');
      const opened = await openConsole(`${server.base}/console/${id}?ticket=${ticket}`);
      assert.ok('ws' in opened);
      const greeting = await opened.stream.read(12);
      assert.match(greeting.toString('latin1'), /^RFB 003\.00\d\n$/);
      opened.ws.close();
    } finally {
      await engine.kill(id).catch(() => undefined);
      await server.close();
      await engine.close();
    }
  });
});
