import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXTRA_TOKENS, SpiceAgentWindow, TOKEN_BATCH } from './spice-agent-window';
import { CAP, clientAuth, clientLink, linkResult, serverReply } from './testing/spice-bytes';

const MAIN = 1;
const DISPLAY = 2;

function mini(type: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt16LE(type, 0);
  head.writeUInt32LE(body.length, 2);
  return Buffer.concat([head, body]);
}
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
};
// SpiceMsgMainInit with `tokens` agent tokens (agent connected).
const mainInit = (tokens: number) => mini(103, Buffer.concat([u32(1), u32(1), u32(3), u32(1), u32(1), u32(tokens), u32(0), u32(0)]));
const agentData = (n: number) => mini(107, Buffer.alloc(64, n));
const agentToken = (n: number) => mini(110, u32(n));
const connectedTokens = (n: number) => mini(115, u32(n));
const mouseMode = mini(105, Buffer.from([2, 0]));

interface Setup {
  window: SpiceAgentWindow;
  released: Buffer[];
  // What the page sent that went to QEMU at once, joined.
  passed: Buffer[];
  // Messages the window made for the page.
  toPage: Buffer[];
}

function linked(channel = MAIN, caps: number = CAP.authSelection | CAP.authSpice | CAP.miniHeader): Setup {
  const released: Buffer[] = [];
  const toPage: Buffer[] = [];
  const window = new SpiceAgentWindow(
    (b) => released.push(Buffer.from(b)),
    (b) => toPage.push(b),
  );
  const passed = window.fromClient(Buffer.concat([clientLink(channel, caps), clientAuth((caps & CAP.authSelection) !== 0)]));
  window.fromVm(Buffer.concat([serverReply(), linkResult(0)]));
  return { window, released, passed, toPage };
}

// The page's tokens as it reads them from the (rewritten) server bytes.
function tokensSeen(window: SpiceAgentWindow, message: Buffer): number {
  const copy = Buffer.from(message);
  assert.equal(window.fromVm(copy), true, 'passed on to the page');
  return copy.readUInt32LE(copy.length - (copy.readUInt16LE(0) === 103 ? 12 : 4));
}

// The tokens the page is given in what reaches it: `chunks` passed on, and `made` by the window.
function tokensGiven(chunks: Buffer[], made: Buffer[]): number {
  let n = 0;
  for (const b of [...chunks, ...made]) {
    for (let at = 0; at + 6 <= b.length; at += 6 + b.readUInt32LE(at + 2)) if (b.readUInt16LE(at) === 110) n += b.readUInt32LE(at + 6);
  }
  return n;
}

describe('SpiceAgentWindow', () => {
  it('passes the link and auth through unchanged', () => {
    for (const caps of [CAP.authSpice | CAP.miniHeader, CAP.authSelection | CAP.authSpice | CAP.miniHeader]) {
      const { passed } = linked(MAIN, caps);
      assert.deepEqual(Buffer.concat(passed), Buffer.concat([clientLink(MAIN, caps), clientAuth((caps & CAP.authSelection) !== 0)]));
    }
  });

  it('gives the page EXTRA_TOKENS more than QEMU and holds what goes beyond QEMU’s tokens', () => {
    const { window, released, toPage } = linked();
    assert.equal(tokensSeen(window, mainInit(10)), 10 + EXTRA_TOKENS);
    const sent: Buffer[] = [];
    for (let i = 0; i < 25; i++) sent.push(...window.fromClient(agentData(i)));
    assert.deepEqual(sent, Array.from({ length: 10 }, (_, i) => agentData(i)));
    assert.equal(window.heldPieces, 15);
    // Other messages are not held behind agent data.
    assert.deepEqual(Buffer.concat(window.fromClient(mouseMode)), mouseMode);
    // QEMU's tokens coming back send on what waits, in order; the page gets them once nothing
    // waits here any more.
    assert.equal(window.fromVm(agentToken(5)), false);
    assert.deepEqual(released, [Buffer.concat(Array.from({ length: 5 }, (_, i) => agentData(10 + i)))]);
    assert.equal(window.heldPieces, 10);
    assert.deepEqual(toPage, []);
    assert.equal(window.fromVm(agentToken(12)), false);
    assert.equal(window.heldPieces, 0);
    assert.deepEqual(toPage, [agentToken(17)]);
    // Two tokens left over: the next two pieces go at once, in order after the released ones.
    assert.deepEqual(window.fromClient(Buffer.concat([agentData(30), agentData(31), agentData(32)])), [agentData(30), agentData(31)]);
    assert.equal(window.heldPieces, 1);
  });

  it('gives the page QEMU’s returned tokens TOKEN_BATCH at a time while pieces wait, losing none', () => {
    const { window, released, toPage } = linked();
    tokensSeen(window, mainInit(10));
    for (let i = 0; i < 10 + EXTRA_TOKENS; i++) window.fromClient(agentData(i % 256));
    const passed: Buffer[] = [];
    let returned = 0;
    // QEMU returns tokens 5 at a time, sometimes two messages in one read.
    while (window.heldPieces > 0) {
      const chunk = returned % 15 === 10 ? Buffer.concat([agentToken(5), agentToken(5)]) : agentToken(5);
      returned += returned % 15 === 10 ? 10 : 5;
      if (window.fromVm(chunk)) passed.push(chunk);
    }
    assert.deepEqual(passed, []);
    assert.equal(Buffer.concat(released).length, EXTRA_TOKENS * agentData(0).length);
    assert.ok(toPage.length < returned / 5 / 4, `${toPage.length} messages for ${returned / 5} of QEMU's`);
    for (const m of toPage.slice(0, -1)) assert.ok(m.readUInt32LE(6) >= TOKEN_BATCH);
    assert.equal(tokensGiven([], toPage), returned);
    // With nothing waiting, QEMU's tokens reach the page as they come.
    assert.equal(window.fromVm(agentToken(5)), false);
    assert.deepEqual(toPage.at(-1), agentToken(5));
  });

  it('keeps back no token that comes with other messages, nor on a channel the client acknowledges', () => {
    const { window, toPage } = linked();
    tokensSeen(window, mainInit(10));
    for (let i = 0; i < 40; i++) window.fromClient(agentData(i));
    const mixed = Buffer.concat([agentToken(5), mouseMode]);
    assert.equal(window.fromVm(mixed), true);
    // A token message split over two reads goes on as it came.
    const split = agentToken(5);
    assert.equal(window.fromVm(split.subarray(0, 4)), true);
    assert.equal(window.fromVm(split.subarray(4)), true);
    assert.equal(window.fromVm(agentToken(5)), false);
    // A SET_ACK: what was kept back is given at once, and nothing is kept back after it.
    const setAck = mini(3, Buffer.concat([u32(1), u32(20)]));
    assert.equal(window.fromVm(setAck), true);
    assert.deepEqual(toPage, [agentToken(5)]);
    assert.equal(window.fromVm(agentToken(5)), true);
    assert.deepEqual(toPage, [agentToken(5)]);
  });

  it('drops the tokens owed for an agent that went away', () => {
    const { window, toPage } = linked();
    tokensSeen(window, mainInit(10));
    for (let i = 0; i < 40; i++) window.fromClient(agentData(i));
    assert.equal(window.fromVm(agentToken(5)), false);
    window.fromVm(mini(108));
    tokensSeen(window, connectedTokens(10));
    for (let i = 0; i < 40; i++) window.fromClient(agentData(i));
    assert.equal(window.fromVm(agentToken(5)), false);
    assert.equal(window.fromVm(agentToken(5)), false);
    while (window.heldPieces > 0) window.fromVm(agentToken(5));
    assert.equal(tokensGiven([], toPage), 30);
  });

  it('holds no more than the tokens it added: a page overrunning them is passed on to QEMU', () => {
    const { window } = linked();
    tokensSeen(window, mainInit(10));
    let passed = 0;
    for (let i = 0; i < 10 + EXTRA_TOKENS + 7; i++) passed += window.fromClient(agentData(i % 256)).length;
    assert.equal(window.heldPieces, EXTRA_TOKENS);
    assert.equal(passed, 10 + 7);
  });

  it('passes whole pieces on as views of the page’s frame, not copies', () => {
    const { window } = linked();
    tokensSeen(window, mainInit(10));
    const frame = Buffer.concat([agentData(1), agentData(2)]);
    const out = window.fromClient(frame);
    assert.deepEqual(out, [agentData(1), agentData(2)]);
    for (const piece of out) assert.equal(piece.buffer, frame.buffer);
  });

  it('cuts messages however the frames split them', () => {
    const stream = Buffer.concat([mouseMode, agentData(1), mini(104), agentData(2), mouseMode]);
    for (const step of [1, 3, 7, 50]) {
      const { window } = linked();
      tokensSeen(window, mainInit(10));
      const out: Buffer[] = [];
      for (let at = 0; at < stream.length; at += step) out.push(...window.fromClient(stream.subarray(at, at + step)));
      assert.deepEqual(Buffer.concat(out), stream, `frames of ${step} bytes`);
    }
  });

  it('starts over when the agent reconnects, and drops what waited for the old one', () => {
    const { window, released } = linked();
    tokensSeen(window, mainInit(2));
    for (let i = 0; i < 4; i++) window.fromClient(agentData(i));
    assert.equal(window.heldPieces, 2);
    window.fromVm(mini(108));
    assert.equal(window.heldPieces, 0);
    assert.equal(tokensSeen(window, connectedTokens(10)), 10 + EXTRA_TOKENS);
    assert.equal(window.fromClient(agentData(9)).length, 1);
    assert.deepEqual(released, []);
  });

  const untouched: Array<[string, () => Setup]> = [
    ['a display channel', () => linked(DISPLAY)],
    ['a main channel without mini headers', () => linked(MAIN, CAP.authSpice)],
  ];
  for (const [what, setup] of untouched) {
    it(`leaves ${what} alone`, () => {
      const { window } = setup();
      const init = mainInit(10);
      const copy = Buffer.from(init);
      window.fromVm(copy);
      assert.deepEqual(copy, init);
      const many = Buffer.concat(Array.from({ length: 30 }, (_, i) => agentData(i)));
      assert.deepEqual(Buffer.concat(window.fromClient(many)), many);
    });
  }

  it('keeps QEMU’s own tokens when the count arrives split over two reads', () => {
    const { window } = linked();
    const init = mainInit(10);
    const a = Buffer.from(init.subarray(0, 20));
    const b = Buffer.from(init.subarray(20));
    window.fromVm(a);
    window.fromVm(b);
    assert.deepEqual(Buffer.concat([a, b]), init);
    // No extra tokens given: nothing is held, the page keeps to QEMU's window itself.
    assert.equal(window.fromClient(Buffer.concat(Array.from({ length: 20 }, (_, i) => agentData(i)))).length, 20);
    assert.equal(window.heldPieces, 0);
  });

  it('lets a stream that is not SPICE through, however short its frames', () => {
    for (const junk of [Buffer.from('ping'), Buffer.from('GET / HTTP/1.1\r\n\r\nmore bytes here')]) {
      const window = new SpiceAgentWindow(
        () => assert.fail('nothing to release'),
        () => assert.fail('nothing to say to the page'),
      );
      assert.deepEqual(Buffer.concat(window.fromClient(junk)), junk);
      assert.deepEqual(Buffer.concat(window.fromClient(junk)), junk);
    }
  });

  it('passes the link on as it comes, byte by byte', () => {
    const window = new SpiceAgentWindow(
        () => assert.fail('nothing to release'),
        () => assert.fail('nothing to say to the page'),
      );
    const link = Buffer.concat([clientLink(MAIN), clientAuth(true)]);
    for (let i = 0; i < link.length; i++) assert.deepEqual(Buffer.concat(window.fromClient(link.subarray(i, i + 1))), link.subarray(i, i + 1));
  });
});
