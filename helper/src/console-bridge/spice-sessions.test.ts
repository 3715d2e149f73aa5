import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SPICE_DISPLAY_CHANNEL, SPICE_MAIN_CHANNEL, displayInitMessage } from './spice-client-stream';
import { SpiceSessions, type SessionMember, type VmCloseMode } from './spice-sessions';

// The order in which a SPICE session's channels close, driven the way the bridge drives it: a
// stand-in channel records what the session asks of it, and its VM side "closes" when the test
// says QEMU closed it.

const CAPS = (1 << 0) | (1 << 1) | (1 << 3); // auth selection, SPICE auth, mini header

function link(type: number): Buffer {
  const mess = Buffer.alloc(22);
  mess.writeUInt8(type, 4);
  mess.writeUInt32LE(1, 6);
  mess.writeUInt32LE(18, 14);
  mess.writeUInt32LE(CAPS, 18);
  const header = Buffer.alloc(16);
  header.write('REDQ', 0, 'latin1');
  header.writeUInt32LE(mess.length, 12);
  const auth = Buffer.alloc(4 + 128);
  auth.writeUInt32LE(1, 0);
  return Buffer.concat([header, mess, auth]);
}

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

function session(graceMs = 1_000): { open(name: string, type: number, sent?: Buffer): FakeChannel; log: string[]; sessions: SpiceSessions } {
  const sessions = new SpiceSessions(graceMs);
  const log: string[] = [];
  return {
    log,
    sessions,
    open(name, type, sent = link(type)) {
      const member = sessions.join('ticket');
      member.observe(sent);
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
