// Regression: QEMU refused one channel's ticket (spice-html5 sends a malformed one about once in
// 200), the bridge saw QEMU close that channel and ended the session at once, while QEMU was still
// setting up the session's display and cursor channels; libspice-server 0.15 then segfaulted in
// its display thread. The bridge now lets every channel whose ticket went out be set up (or
// refused) before it ends main.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { consoleOpen } from '../../src/console-bridge/console-methods';
import { openConsole } from './console-server';
import { startSpiceGuest, type SpiceGuest } from './spice-guest';
import { CHANNEL, LINK_ERR_OK, MSG_MAIN_INIT, authenticate, displayInit, linkMessage, readLinkReply, readMessage, usesMiniHeader } from './spice-link';
// SPICE_LINK_ERR_PERMISSION_DENIED in spice-protocol's enums.h.
const LINK_ERR_PERMISSION_DENIED = 7;
// Before the fix QEMU died within two to nine such sessions here.
const SESSIONS = 8;

describe('a SPICE session with a refused channel', { skip: process.platform !== 'linux' && 'TCP displays with a password are tested on Linux' }, () => {
  let guest: SpiceGuest;
  // Loopback TCP with a display password, so that QEMU checks tickets and can refuse one.
  before(async () => {
    guest = await startSpiceGuest('spice-refused', { endpoints: 'tcp', maxOpens: 4 * SESSIONS });
  });
  after(() => guest.close());

  test(`QEMU survives ${SESSIONS} sessions that end the moment one channel's ticket is refused, while the others are being set up`, async () => {
    const { engine, id, tickets, server } = guest;
    for (let i = 0; i < SESSIONS; i++) {
      const refused = i % 2 === 0 ? 'inputs' : 'cursor';
      const opened = await consoleOpen({ engine, tickets }, { id, channel: 'display' });
      const url = `${server.base}/console/${id}?ticket=${encodeURIComponent(opened.ticket)}`;
      const main = await openConsole(url);
      assert.ok('ws' in main, JSON.stringify(main));
      main.stream.send(linkMessage(CHANNEL.main, 0));
      const mainReply = await readLinkReply(main.stream);
      assert.equal(await authenticate(main.stream, mainReply, opened.password), LINK_ERR_OK);
      const sessionId = (await readMessage(main.stream, MSG_MAIN_INIT, usesMiniHeader(mainReply))).readUInt32LE(0);

      // The other channels link together, as spice-html5's do; then their tickets go out at once,
      // the refused one first, and the display channel sends DISPLAY_INIT once it is in.
      const channels = await Promise.all(
        (['display', 'inputs', 'cursor'] as const).map(async (name) => {
          const c = await openConsole(url);
          assert.ok('ws' in c, JSON.stringify(c));
          c.stream.send(linkMessage(CHANNEL[name], sessionId));
          return { name, c, reply: await readLinkReply(c.stream) };
        }),
      );
      channels.sort((a, b) => Number(b.name === refused) - Number(a.name === refused));
      const results = await Promise.all(
        channels.map(async ({ name, c, reply }) => {
          const result = await authenticate(c.stream, reply, name === refused ? 'not-the-password' : opened.password).catch(() => -1);
          if (name === 'display' && result === LINK_ERR_OK) c.stream.send(displayInit(usesMiniHeader(reply)));
          return [name, result] as const;
        }),
      );
      assert.equal(Object.fromEntries(results)[refused], LINK_ERR_PERMISSION_DENIED, `QEMU refused the ${refused} ticket`);
      // The page gives up on the session: every WebSocket closes.
      for (const { c } of channels) c.ws.close();
      main.ws.close();
      await sleep(1_000);
      const status = await engine.queryStatus(id).catch((e: unknown) => ({ status: `no answer: ${(e as Error).message}`, running: false }));
      assert.equal(status.status, 'running', `QEMU is still running after session ${i + 1} (the ${refused} ticket refused)`);
    }
  });
});
