// The Windows form of the consoles, on this host: QEMU listens on loopback TCP with a display
// password (engine option endpoints: 'tcp', what OPENUTM_QEMU_ENDPOINTS=tcp sets), the browser
// gets the password from console.open and gives it to QEMU itself through the bridge.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VmEngine } from '../../src/vm-service/vm-engine';
import { lazyHostFacts } from '../../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../../src/runtime/runtime-paths';
import { ConsoleTickets } from '../../src/console-bridge/console-tickets';
import { consoleOpen } from '../../src/console-bridge/console-methods';
import { readPidFile } from '../../src/qemu-process/launch';
import { kernelGuestRequest, testGuest } from '../support/test-guest';
import { waitForText } from '../support/wait';
import { startConsoleServer, openConsole } from './console-server';
import { CHANNEL, LINK_ERR_OK, MSG_DISPLAY_SURFACE_CREATE, MSG_MAIN_INIT, authenticate, displayInit, linkMessage, readLinkReply, readMessage, usesMiniHeader } from './spice-link';

const guest = testGuest();
const facts = lazyHostFacts();
// SPICE_LINK_ERR_PERMISSION_DENIED in spice-protocol's enums.h.
const LINK_ERR_PERMISSION_DENIED = 7;

async function qemuCommandLine(engine: VmEngine, id: string): Promise<string> {
  const pid = await readPidFile(engine.paths(id).pidFile);
  assert.ok(pid !== null, 'QEMU wrote its pidfile');
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
}

describe('consoles over loopback TCP with a display password (the Windows form)', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  let home: string;
  let engine: VmEngine;
  let tickets: ConsoleTickets;
  let server: Awaited<ReturnType<typeof startConsoleServer>>;
  const open = (): Promise<VmEngine> =>
    VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: facts, acceleratorOverride: 'tcg', endpoints: 'tcp' });

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'openutm-tcp-console-'));
    engine = await open();
    tickets = new ConsoleTickets({ maxOpens: 16 });
    server = await startConsoleServer({ engine, tickets });
  });
  after(async () => {
    await server.close();
    await engine.close();
    await rm(home, { recursive: true, force: true });
  });

  test('SPICE: the password is in no process listing, an unknown one is refused, console.open’s gets the screen', async () => {
    const { id } = (await engine.create(kernelGuestRequest('tcp-spice', { display: { type: 'spice' } }))).config;
    try {
      await engine.start(id);
      await waitForText(engine.paths(id).serialLog, guest.marker, 90_000);
      const paths = engine.paths(id);
      assert.equal(paths.spice.kind, 'tcp');
      const opened = await consoleOpen({ engine, tickets }, { id, channel: 'display' });
      assert.equal(opened.protocol, 'spice');
      const password = opened.password;
      assert.ok(password !== undefined && password.length >= 43 && Buffer.byteLength(password) <= 60, `a strong SPICE ticket (${password?.length ?? 'none'} chars)`);
      assert.equal((await consoleOpen({ engine, tickets }, { id, channel: 'serial' })).password, undefined, 'the serial console needs none');

      const cmdline = await qemuCommandLine(engine, id);
      assert.match(cmdline, /password-secret=display_password/, 'QEMU runs with the secret object');
      assert.ok(!cmdline.includes(password), 'the password is not on QEMU’s command line');
      assert.equal((await stat(paths.displayPassword)).mode & 0o777, 0o600, 'only the owner reads the password file');

      // A ticket serves one SPICE session, which ends when its main channel closes: one each.
      const url = (ticket: string): string => `${server.base}/console/${id}?ticket=${encodeURIComponent(ticket)}`;
      for (const wrong of ['', 'not-the-password']) {
        const attempt = await openConsole(url((await consoleOpen({ engine, tickets }, { id, channel: 'display' })).ticket));
        assert.ok('ws' in attempt);
        attempt.stream.send(linkMessage(CHANNEL.main, 0));
        const reply = await readLinkReply(attempt.stream);
        assert.equal(reply.error, LINK_ERR_OK, 'the link stage itself is open to anyone');
        assert.equal(await authenticate(attempt.stream, reply, wrong), LINK_ERR_PERMISSION_DENIED, `QEMU refuses the ticket "${wrong}"`);
        attempt.ws.close();
      }

      const main = await openConsole(url(opened.ticket));
      assert.ok('ws' in main, JSON.stringify(main));
      main.stream.send(linkMessage(CHANNEL.main, 0));
      const reply = await readLinkReply(main.stream);
      assert.equal(await authenticate(main.stream, reply, password), LINK_ERR_OK, 'QEMU accepts console.open’s password');
      const sessionId = (await readMessage(main.stream, MSG_MAIN_INIT, usesMiniHeader(reply))).readUInt32LE(0);
      const second = await openConsole(url(opened.ticket));
      assert.ok('ws' in second);
      second.stream.send(linkMessage(CHANNEL.display, sessionId));
      const displayReply = await readLinkReply(second.stream);
      assert.equal(await authenticate(second.stream, displayReply, password), LINK_ERR_OK);
      second.stream.send(displayInit(usesMiniHeader(displayReply)));
      const surface = await readMessage(second.stream, MSG_DISPLAY_SURFACE_CREATE, usesMiniHeader(displayReply));
      assert.ok(surface.readUInt32LE(4) > 0 && surface.readUInt32LE(8) > 0, 'the screen surface arrives');
      second.ws.close();
      main.ws.close();

      // A restarted helper re-attaches and hands out the same run's password.
      await server.close();
      await engine.close();
      engine = await open();
      server = await startConsoleServer({ engine, tickets });
      assert.equal((await consoleOpen({ engine, tickets }, { id, channel: 'display' })).password, password);
    } finally {
      await engine.kill(id).catch(() => undefined);
    }
    const again = await engine.start(id).then(() => consoleOpen({ engine, tickets }, { id, channel: 'display' }));
    try {
      assert.ok(again.password !== undefined, 'the next run has a password too');
    } finally {
      await engine.kill(id).catch(() => undefined);
    }
  });

  test('VNC: only VNC authentication is offered (no "None"), with console.open’s password', async () => {
    const { id } = (await engine.create(kernelGuestRequest('tcp-vnc', { display: { type: 'vnc' } }))).config;
    try {
      await engine.start(id);
      const opened = await consoleOpen({ engine, tickets }, { id, channel: 'display' });
      assert.equal(opened.protocol, 'vnc');
      assert.ok(opened.password !== undefined && opened.password.length >= 8, 'a VNC password of at least the 8 characters VNC checks');
      assert.ok(!(await qemuCommandLine(engine, id)).includes(opened.password), 'the password is not on QEMU’s command line');
      const ws = await openConsole(`${server.base}/console/${id}?ticket=${encodeURIComponent(opened.ticket)}`);
      assert.ok('ws' in ws);
      assert.match((await ws.stream.read(12)).toString('latin1'), /^RFB 003\.008\n$/);
      ws.stream.send(Buffer.from('RFB 003.008\n', 'latin1'));
      const count = (await ws.stream.read(1)).readUInt8(0);
      assert.deepEqual([...(await ws.stream.read(count))], [2], 'security types: VNC authentication only');
      ws.ws.close();
    } finally {
      await engine.kill(id).catch(() => undefined);
    }
  });
});
