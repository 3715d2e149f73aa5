// Regression: libspice-server 0.15 (QEMU 7.2) segfaults QEMU when a session's main channel
// closes while another channel of the same session is linked but not yet initialised. A browser
// tab that goes away closes its WebSockets in any order; the bridge must close the VM side of
// the other channels first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { WebSocket } from 'ws';
import { openConsole } from './console-server';
import { startSpiceGuest, type SpiceGuest } from './spice-guest';
import { CHANNEL, LINK_ERR_OK, MSG_MAIN_INIT, authenticate, linkMessage, readLinkReply, readMessage, usesMiniHeader, type FrameStream } from './spice-link';
import { NO_SPICE } from '../support/qemu-features';

describe('closing a SPICE session through the bridge', { skip: NO_SPICE }, () => {
  let guest: SpiceGuest;
  before(async () => {
    guest = await startSpiceGuest('spice-close');
  });
  after(() => guest.close());

  // Opens one channel WebSocket with the ticket and links it (SpiceLinkMess, then SPICE auth).
  async function link(ticket: string, channel: number, sessionId: number): Promise<{ ws: WebSocket; stream: FrameStream; mini: boolean }> {
    const opened = await openConsole(`${guest.server.base}/console/${guest.id}?ticket=${encodeURIComponent(ticket)}`);
    assert.ok('ws' in opened, `channel ${channel} opens (${JSON.stringify(opened)})`);
    opened.stream.send(linkMessage(channel, sessionId));
    const reply = await readLinkReply(opened.stream);
    assert.equal(reply.error, LINK_ERR_OK, `channel ${channel} links`);
    assert.equal(await authenticate(opened.stream, reply), LINK_ERR_OK);
    return { ...opened, mini: usesMiniHeader(reply) };
  }

  // Resolves when the WebSocket has closed, whoever closed it.
  function closed(ws: WebSocket): Promise<unknown> {
    return ws.readyState === ws.CLOSED ? Promise.resolve() : once(ws, 'close');
  }

  for (const first of ['display', 'main'] as const) {
    test(`the browser closing ${first} first, with display linked but not initialised, leaves QEMU running`, async () => {
      for (let round = 0; round < 2; round++) {
        const { ticket } = guest.tickets.issue(guest.id);
        const main = await link(ticket, CHANNEL.main, 0);
        const sessionId = (await readMessage(main.stream, MSG_MAIN_INIT, main.mini)).readUInt32LE(0);
        // Linked and authenticated, but never sent DISPLAY_INIT: the state the crash needs.
        const display = await link(ticket, CHANNEL.display, sessionId);
        const inputs = await link(ticket, CHANNEL.inputs, sessionId);

        (first === 'display' ? display : main).ws.close();
        // The bridge ends the whole session, whichever channel the browser closed.
        await Promise.all([closed(main.ws), closed(display.ws), closed(inputs.ws)]);

        const status = await guest.engine.queryStatus(guest.id);
        assert.deepEqual(status, { status: 'running', running: true }, `QEMU answers QMP and still runs after round ${round + 1}`);
      }
      assert.equal((await guest.engine.get(guest.id)).status.state, 'running', 'the VM state stays running');
    });
  }
});
