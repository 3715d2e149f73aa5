// The order in which the bridge closes a SPICE session's channels on the VM side, seen by a unix
// socket server that stands in for QEMU and records which connection closed when (real sockets
// and WebSockets, no QEMU: the order is what matters, and QEMU cannot report it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type net from 'node:net';
import type { WebSocket } from 'ws';
import type { VmStatus } from '@openutm/shared';
import { ConsoleTickets } from '../../src/console-bridge/console-tickets';
import type { ConsoleEngine } from '../../src/console-bridge/console-upgrade';
import { startUnixServer, type UnixServer } from '../../src/console-bridge/testing/bridge-harness';
import { openConsole, startConsoleServer } from './console-server';
import { CHANNEL, linkMessage } from './spice-link';
import { NO_SPICE } from '../support/qemu-features';

const RUNNING: VmStatus = { id: 'spicevm', name: 'spicevm', state: 'running', since: new Date(0).toISOString(), pid: null, crash: null, lastShutdown: null };

describe('closing a SPICE session', { skip: NO_SPICE }, () => {
  let qemu: UnixServer;
  let server: Awaited<ReturnType<typeof startConsoleServer>>;
  let tickets: ConsoleTickets;
  // Channel types as the stand-in read them from each link, in the order their sockets closed.
  const closedTypes: number[] = [];
  const linked: Array<(type: number) => void> = [];

  before(async () => {
    qemu = await startUnixServer((socket: net.Socket) => {
      let type = -1;
      socket.once('data', (d: Buffer) => {
        type = d.readUInt8(20);
        linked.shift()?.(type);
      });
      socket.on('close', () => closedTypes.push(type));
    });
    const engine: ConsoleEngine = {
      get: async () => ({ status: RUNNING }),
      consoleTarget: async () => ({ protocol: 'spice', endpoint: qemu.endpoint }),
      serialHub: () => {
        throw new Error('no serial here');
      },
    };
    tickets = new ConsoleTickets();
    server = await startConsoleServer({ engine, tickets });
  });
  after(async () => {
    await server.close();
    await qemu.close();
  });

  // Opens a channel with the ticket and sends its link; resolves once the stand-in has read it.
  async function link(ticket: string, channel: number): Promise<WebSocket> {
    const opened = await openConsole(`${server.base}/console/spicevm?ticket=${encodeURIComponent(ticket)}`);
    assert.ok('ws' in opened, JSON.stringify(opened));
    const seen = new Promise<number>((resolve) => linked.push(resolve));
    // Split across two frames, as nothing promises the link comes in one.
    const message = linkMessage(channel, channel === CHANNEL.main ? 0 : 42);
    opened.ws.send(message.subarray(0, 7), { binary: true });
    opened.ws.send(message.subarray(7), { binary: true });
    assert.equal(await seen, channel);
    return opened.ws;
  }

  const closedWs = (ws: WebSocket): Promise<unknown> => (ws.readyState === ws.CLOSED ? Promise.resolve() : once(ws, 'close'));

  async function untilClosed(count: number): Promise<void> {
    while (closedTypes.length < count) await new Promise((r) => setTimeout(r, 5));
  }

  test('the browser closing main first: main closes on the VM side first, then the others', async () => {
    closedTypes.length = 0;
    const { ticket } = tickets.issue('spicevm');
    const main = await link(ticket, CHANNEL.main);
    const display = await link(ticket, CHANNEL.display);
    const inputs = await link(ticket, CHANNEL.inputs);
    const displayClose = new Promise<string>((resolve) => display.once('close', (_code: number, reason: Buffer) => resolve(reason.toString())));
    main.close();
    await Promise.all([closedWs(main), closedWs(display), closedWs(inputs), untilClosed(3)]);
    assert.equal(closedTypes[0], CHANNEL.main, `order: ${closedTypes.join(',')}`);
    assert.deepEqual(closedTypes.slice(1).sort(), [CHANNEL.display, CHANNEL.inputs].sort());
    assert.match(await displayClose, /session is closing/, 'the browser is told why its display channel closed');
  });

  // The crash: a display channel closing while main is connected. The whole session goes, main first.
  test('the browser closing a display channel first: main still closes on the VM side before it', async () => {
    closedTypes.length = 0;
    const { ticket } = tickets.issue('spicevm');
    const main = await link(ticket, CHANNEL.main);
    const display = await link(ticket, CHANNEL.display);
    const inputs = await link(ticket, CHANNEL.inputs);
    display.close();
    await Promise.all([closedWs(main), closedWs(display), closedWs(inputs), untilClosed(3)]);
    assert.equal(closedTypes[0], CHANNEL.main, `order: ${closedTypes.join(',')}`);
    assert.deepEqual(closedTypes.slice(1).sort(), [CHANNEL.display, CHANNEL.inputs].sort());
  });

  test('a channel that never linked closes alone and leaves its session open', async () => {
    closedTypes.length = 0;
    const { ticket } = tickets.issue('spicevm');
    const main = await link(ticket, CHANNEL.main);
    const silent = await openConsole(`${server.base}/console/spicevm?ticket=${encodeURIComponent(ticket)}`);
    assert.ok('ws' in silent);
    silent.ws.close();
    await untilClosed(1);
    assert.deepEqual(closedTypes, [-1]);
    assert.equal(main.readyState, main.OPEN);
    main.close();
    await untilClosed(2);
  });

  test('two sessions are independent: closing one leaves the other open', async () => {
    closedTypes.length = 0;
    const a = tickets.issue('spicevm').ticket;
    const b = tickets.issue('spicevm').ticket;
    const mainA = await link(a, CHANNEL.main);
    const displayA = await link(a, CHANNEL.display);
    const mainB = await link(b, CHANNEL.main);
    const displayB = await link(b, CHANNEL.display);
    displayA.close();
    await Promise.all([closedWs(mainA), closedWs(displayA), untilClosed(2)]);
    assert.deepEqual(closedTypes, [CHANNEL.main, CHANNEL.display]);
    assert.equal(displayB.readyState, displayB.OPEN);
    assert.equal(mainB.readyState, mainB.OPEN);
    mainB.close();
    await Promise.all([closedWs(displayB), untilClosed(4)]);
    assert.deepEqual(closedTypes.slice(2), [CHANNEL.main, CHANNEL.display]);
  });
});
