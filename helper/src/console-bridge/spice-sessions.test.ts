import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SPICE_DISPLAY_CHANNEL, SPICE_MAIN_CHANNEL, displayInitMessage } from './spice-client-stream';
import { SpiceSessions, type SessionMember, type VmCloseMode } from './spice-sessions';
import { SET_ACK, clientAuth, clientLink, linkResult, serverReply } from './testing/spice-bytes';

// The order in which a SPICE session's channels close, driven the way the bridge drives it: a
// stand-in channel records what the session asks of it, and its VM side "closes" when the test
// says QEMU closed it.

// A channel's link and ticket, as the client sends them.
const link = (type: number): Buffer => Buffer.concat([clientLink(type), clientAuth(true)]);

// QEMU's side of a channel's handshake, at three points of it.
const SERVER = {
  'set up': Buffer.concat([serverReply(), linkResult(0), SET_ACK]),
  'setting up': Buffer.concat([serverReply(), linkResult(0)]),
  refused: Buffer.concat([serverReply(), linkResult(7)]),
} as const;

class FakeChannel {
  readonly events: string[];
  readonly vmClosed: Promise<void>;
  closeVm!: () => void;
  ending: Promise<VmCloseMode> | null = null;

  constructor(
    readonly name: string,
    readonly member: SessionMember,
    log: string[],
  ) {
    this.events = log;
    this.vmClosed = new Promise((resolve) => (this.closeVm = resolve));
    member.attach({
      closeForSession: () => this.end(),
      vmClosed: this.vmClosed,
      sendToVm: (bytes) => log.push(`${name}: sent ${bytes.equals(displayInitMessage(true)) ? 'DISPLAY_INIT' : `${bytes.length} bytes`}`),
    });
  }

  // What the bridge does when either side ends the channel: ask the session, then act on it.
  // Like the bridge, it is ending before it asks (the session may close it again meanwhile).
  end(): Promise<VmCloseMode> {
    if (this.ending) return this.ending;
    let settle!: (mode: VmCloseMode) => void;
    this.ending = new Promise((resolve) => (settle = resolve));
    void this.member.beforeVmClose().then((mode) => {
      this.events.push(`${this.name}: ${mode}`);
      settle(mode);
    });
    return this.ending;
  }
}

function session(graceMs = 1_000): { open(name: string, type: number, sent?: Buffer, server?: keyof typeof SERVER): FakeChannel; log: string[]; sessions: SpiceSessions } {
  const sessions = new SpiceSessions(graceMs);
  const log: string[] = [];
  return {
    log,
    sessions,
    open(name, type, sent = link(type), server = 'set up') {
      const member = sessions.join('ticket');
      member.observe(sent);
      member.observeVm(SERVER[server]);
      return new FakeChannel(name, member, log);
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

for (const first of ['display', 'inputs', 'main'] as const) {
  test(`SPICE session, ${first} closed first: DISPLAY_INIT goes out, main ends, the rest wait for QEMU`, async () => {
    const s = session();
    const main = s.open('main', SPICE_MAIN_CHANNEL);
    const display = s.open('display', SPICE_DISPLAY_CHANNEL);
    const inputs = s.open('inputs', 3);
    void { main, display, inputs }[first].end();
    await tick();
    assert.deepEqual(s.log, ['display: sent DISPLAY_INIT', 'main: end'], 'nothing but main is ended before main has closed');
    assert.equal(s.sessions.isEnding('ticket'), true, 'later channels of this session are refused');
    main.closeVm();
    const modes = await Promise.all([display.end(), inputs.end()]);
    assert.deepEqual(modes, ['vm-closes', 'vm-closes'], 'QEMU closes the others itself');
  });
}

test('SPICE session: a display that sent its DISPLAY_INIT is not sent another', async () => {
  const s = session();
  const main = s.open('main', SPICE_MAIN_CHANNEL);
  const display = s.open('display', SPICE_DISPLAY_CHANNEL, Buffer.concat([link(SPICE_DISPLAY_CHANNEL), displayInitMessage(true)]));
  void display.end();
  await tick();
  main.closeVm();
  assert.equal(await display.end(), 'vm-closes');
  assert.deepEqual(s.log, ['main: end', 'display: vm-closes']);
});

test('SPICE session: main that does not close within the grace lets the others be ended from here', async () => {
  const s = session(50);
  s.open('main', SPICE_MAIN_CHANNEL);
  const display = s.open('display', SPICE_DISPLAY_CHANNEL);
  assert.equal(await display.end(), 'end');
});

test('SPICE session: a channel that never linked, or one without main, is ended at once', async () => {
  const s = session();
  const stranger = s.open('stranger', 0, Buffer.from('RFB 003.008\n'));
  assert.equal(await stranger.end(), 'end');
  const lone = session().open('display', SPICE_DISPLAY_CHANNEL);
  assert.equal(await lone.end(), 'end');
});

test('SPICE session: main waits while QEMU sets up a channel whose ticket it accepted, then ends', async () => {
  const s = session();
  const main = s.open('main', SPICE_MAIN_CHANNEL);
  s.open('display', SPICE_DISPLAY_CHANNEL);
  const cursor = s.open('cursor', 4, link(4), 'setting up');
  const inputs = s.open('inputs', 3, link(3), 'refused');
  // QEMU closed the refused channel: the session ends, but not while the cursor is being set up.
  void inputs.end();
  await tick();
  assert.deepEqual(s.log, [], 'main is not ended while QEMU sets up the cursor channel');
  assert.equal(s.sessions.isEnding('ticket'), true, 'later channels are refused meanwhile');
  cursor.member.observeVm(SET_ACK);
  await tick();
  assert.deepEqual(s.log, ['display: sent DISPLAY_INIT', 'main: end']);
  main.closeVm();
  assert.equal(await cursor.end(), 'vm-closes');
});

test('SPICE session: a channel being set up that QEMU closes, or one that never finishes, lets main go', async () => {
  const s = session();
  s.open('main', SPICE_MAIN_CHANNEL);
  const cursor = s.open('cursor', 4, link(4), 'setting up');
  void s.open('inputs', 3).end();
  await tick();
  assert.deepEqual(s.log, []);
  cursor.closeVm();
  await tick();
  assert.deepEqual(s.log, ['main: end']);

  const stuck = session(50);
  stuck.open('main', SPICE_MAIN_CHANNEL);
  stuck.open('cursor', 4, link(4), 'setting up');
  void stuck.open('inputs', 3).end();
  await new Promise((resolve) => setTimeout(resolve, 75));
  assert.equal(stuck.log[0], 'main: end', 'after the grace, main is ended anyway');
});

test('SPICE session: a display channel QEMU refused is not sent DISPLAY_INIT', async () => {
  const s = session();
  s.open('main', SPICE_MAIN_CHANNEL);
  const display = s.open('display', SPICE_DISPLAY_CHANNEL, link(SPICE_DISPLAY_CHANNEL), 'refused');
  void display.end();
  await tick();
  assert.deepEqual(s.log, ['main: end']);
});
