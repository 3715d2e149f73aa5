// The upgrade handler against a stand-in engine (real sockets, no QEMU): every refusal is an
// HTTP answer before the WebSocket handshake, and only then is QEMU's socket dialled.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenUtmError, type VmState, type VmStatus } from '@openutm/shared';
import { vacantEndpoint } from '../../src/runtime/testing/local-endpoint';
import { ConsoleTickets } from '../../src/console-bridge/console-tickets';
import type { ConsoleEngine } from '../../src/console-bridge/console-upgrade';
import type { ConsoleTarget } from '../../src/console-bridge/console-target';
import type { Endpoint } from '../../src/runtime/runtime-paths';
import { SerialHub } from '../../src/console-bridge/serial-hub';
import { startUnixServer, type UnixServer } from '../../src/console-bridge/testing/bridge-harness';
import { openConsole, startConsoleServer } from './console-server';

function status(id: string, state: VmState): VmStatus {
  return { id, name: id, state, since: new Date().toISOString(), pid: null, crash: null, lastShutdown: null };
}

describe('the console upgrade handler', () => {
  let display: UnixServer;
  let serial: UnixServer;
  let gone: Endpoint;
  let hub: SerialHub;
  let tickets: ConsoleTickets;
  let server: Awaited<ReturnType<typeof startConsoleServer>>;
  const states: Record<string, VmState> = { runvm1: 'running', offvm1: 'stopped', gonevm: 'running' };

  before(async () => {
    display = await startUnixServer((s) => s.pipe(s));
    gone = await vacantEndpoint(display.dir, 'gone.sock');
    serial = await startUnixServer();
    hub = new SerialHub(serial.endpoint, { log: () => undefined });
    await hub.start();
    const engine: ConsoleEngine = {
      get: async (id) => {
        const state = states[id];
        if (!state) throw new OpenUtmError('NOT_FOUND', `there is no VM with id ${id}`);
        return { status: status(id, state) };
      },
      consoleTarget: async (id): Promise<ConsoleTarget> => ({
        protocol: 'spice',
        endpoint: id === 'gonevm' ? gone : display.endpoint,
      }),
      serialHub: () => hub,
    };
    tickets = new ConsoleTickets();
    server = await startConsoleServer({ engine, tickets });
  });
  after(async () => {
    hub.stop();
    await server.close();
    await display.close();
    await serial.close();
  });

  const url = (vm: string, ticket: string, query = ''): string => `${server.base}/console/${vm}?ticket=${encodeURIComponent(ticket)}${query}`;

  test('a valid ticket bridges to the display socket', async () => {
    const before = display.connections.length;
    const opened = await openConsole(url('runvm1', tickets.issue('runvm1').ticket));
    assert.ok('ws' in opened);
    opened.ws.send(Buffer.from('ping'), { binary: true });
    assert.equal((await opened.stream.read(4)).toString(), 'ping');
    assert.equal(display.connections.length, before + 1, 'one fresh QEMU connection per WebSocket');
    opened.ws.close();
  });

  test('a missing, forged or other VM’s ticket is refused with 403 and QEMU is never dialled', async () => {
    const before = display.connections.length;
    for (const ticket of ['', 'forged', tickets.issue('offvm1').ticket]) {
      const r = await openConsole(url('runvm1', ticket));
      assert.ok('refused' in r, `refused: ${ticket}`);
      assert.equal(r.refused, 403);
      assert.match(r.body, /console\.open/);
    }
    assert.equal(display.connections.length, before);
  });

  test('a stopped VM answers 409, an unknown one 404', async () => {
    const stopped = await openConsole(url('offvm1', tickets.issue('offvm1').ticket));
    assert.ok('refused' in stopped);
    assert.equal(stopped.refused, 409);
    const unknown = await openConsole(url('nosuch', tickets.issue('nosuch').ticket));
    assert.ok('refused' in unknown);
    assert.equal(unknown.refused, 404);
  });

  test('a display socket that is gone answers 502 instead of opening a dead WebSocket', async () => {
    const r = await openConsole(url('gonevm', tickets.issue('gonevm').ticket));
    assert.ok('refused' in r);
    assert.equal(r.refused, 502);
    assert.match(r.body, /still running/);
  });

  test('an unknown channel answers 400', async () => {
    const r = await openConsole(url('runvm1', tickets.issue('runvm1').ticket, '&channel=usb'));
    assert.ok('refused' in r);
    assert.equal(r.refused, 400);
  });

  test('channel=serial with a serial ticket joins the serial hub', async () => {
    const qemu = serial.connections[0]!;
    const typed: Buffer[] = [];
    qemu.on('data', (d: Buffer) => typed.push(d));
    const opened = await openConsole(url('runvm1', tickets.issue('runvm1', 'serial').ticket, '&channel=serial'), []);
    assert.ok('ws' in opened);
    opened.ws.send('uname\n');
    qemu.write('Linux\r\n');
    await opened.stream.waitForText('Linux', 10_000);
    while (Buffer.concat(typed).toString() !== 'uname\n') await new Promise((r) => setTimeout(r, 5));
    opened.ws.close();
  });

  test('a client that only offers another subprotocol cannot open the console', async () => {
    await assert.rejects(openConsole(url('runvm1', tickets.issue('runvm1').ticket), ['base64']), /subprotocol/);
  });
});
