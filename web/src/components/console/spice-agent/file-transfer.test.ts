import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AgentMsg, AgentProtocolError, XferStatus } from './agent-protocol';
import { AgentOutbox } from './agent-outbox';
import { AgentReassembler } from './agent-reassembler';
import { fileBlocks, FileTransfers, formatBytes, PROGRESS_MS, READ_BLOCK, transferError, XFER_SLICE, type TransferSource, type TransferView } from './file-transfer';

// The guest's side of the wire: pieces reassembled into messages, file data gathered per id.
function guest() {
  const reassembler = new AgentReassembler();
  const log: Array<{ type: number; id: number }> = [];
  const files = new Map<number, Buffer[]>();
  const names = new Map<number, string>();
  const outbox = new AgentOutbox((pieces) => {
    for (const piece of pieces) receive(piece);
  });
  function receive(piece: Uint8Array): void {
    assert.ok(piece.length <= 2048);
    for (const m of reassembler.push(piece)) {
      const dv = new DataView(m.body.buffer, m.body.byteOffset);
      const id = dv.getUint32(0, true);
      log.push({ type: m.type, id });
      if (m.type === AgentMsg.FILE_XFER_START) names.set(id, /name=(.*)\n/.exec(new TextDecoder().decode(m.body.subarray(4)))![1]!);
      if (m.type === AgentMsg.FILE_XFER_DATA) {
        const size = Number(dv.getBigUint64(4, true));
        assert.equal(m.body.length, 12 + size);
        files.set(id, [...(files.get(id) ?? []), Buffer.from(m.body.subarray(12))]);
      }
    }
  }
  return { outbox, log, files, names };
}

function setup(tokens = 10, clock?: () => number) {
  const g = guest();
  let views: TransferView[] = [];
  const xfers = new FileTransfers((message) => g.outbox.send(message), g.outbox, (v) => (views = v), clock);
  g.outbox.addTokens(tokens);
  return { ...g, xfers, views: () => views };
}

const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

// Lets the sender's reads and waits run; the guest hands back tokens as it goes.
async function drive(s: ReturnType<typeof setup>, until: () => boolean) {
  const there = () => until() && s.outbox.pending === 0;
  for (let i = 0; i < 100000 && !there(); i++) {
    s.outbox.addTokens(50);
    await new Promise((r) => setImmediate(r));
  }
  assert.ok(there(), 'did not get there');
}

test('files go one after the other, each only after the guest says it may send, and arrive whole', async () => {
  const s = setup();
  const a = new Uint8Array(3 * XFER_SLICE + 123).map((_, i) => (i * 7) % 256);
  const b = new Uint8Array(0);
  const [ida, idb] = s.xfers.add([new File([a], 'a.bin'), new File([b], 'résumé.txt')]);
  assert.deepEqual(s.log, [{ type: AgentMsg.FILE_XFER_START, id: ida }]);
  assert.deepEqual(s.views().map((v) => v.state), ['starting', 'queued']);

  s.xfers.status(ida!, XferStatus.CAN_SEND_DATA, new Uint8Array(0));
  await drive(s, () => s.views()[0]!.state === 'finishing');
  assert.equal(s.views()[0]!.sent, a.length);
  assert.equal(sha(Buffer.concat(s.files.get(ida!)!)), sha(a));
  // The second starts only when the first is done.
  assert.equal(s.log.filter((m) => m.type === AgentMsg.FILE_XFER_START).length, 1);
  s.xfers.status(ida!, XferStatus.SUCCESS, new Uint8Array(0));
  assert.equal(s.names.get(idb!), 'résumé.txt');
  s.xfers.status(idb!, XferStatus.CAN_SEND_DATA, new Uint8Array(0));
  await drive(s, () => s.views()[1]!.state === 'finishing');
  // The empty file still gets its one (empty) data message.
  assert.deepEqual(s.files.get(idb!), [Buffer.alloc(0)]);
  s.xfers.status(idb!, XferStatus.SUCCESS, new Uint8Array(0));
  assert.deepEqual(s.views().map((v) => v.state), ['done', 'done']);
});

test('the sender waits for tokens: a slow guest never has the whole file queued', async () => {
  const s = setup(0);
  // Past several read blocks, and not a whole number of data messages.
  const big = new Uint8Array(4 * 1024 * 1024 + 4321).map((_, i) => (i * 13) % 251);
  const [id] = s.xfers.add([new File([big], 'big')]);
  s.outbox.addTokens(1);
  s.xfers.status(id!, XferStatus.CAN_SEND_DATA, new Uint8Array(0));
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  assert.ok(s.outbox.pending <= 96 + 32, `${s.outbox.pending} pieces queued`);
  assert.ok(s.views()[0]!.sent < big.length);
  await drive(s, () => s.views()[0]!.state === 'finishing');
  assert.equal(sha(Buffer.concat(s.files.get(id!)!)), sha(big));
  // Data messages as spice-gtk sends them: full 64 KiB ones, the rest in the last.
  const sizes = s.files.get(id!)!.map((b) => b.length);
  assert.ok(sizes.slice(0, -1).every((n) => n === XFER_SLICE), JSON.stringify(sizes));
});

test('cancel tells the guest, stops sending, and the next file starts', async () => {
  const s = setup(0);
  const [id1, id2, id3] = s.xfers.add([new File([new Uint8Array(1024 * 1024)], 'one'), new File(['x'], 'two'), new File(['y'], 'three')]);
  s.xfers.status(id1!, XferStatus.CAN_SEND_DATA, new Uint8Array(0));
  s.xfers.cancel(id3!);
  s.xfers.cancel(id1!);
  await drive(s, () => s.log.some((m) => m.type === AgentMsg.FILE_XFER_START && m.id === id2));
  const sentData = (s.files.get(id1!) ?? []).reduce((n, b) => n + b.length, 0);
  assert.ok(sentData < 1024 * 1024);
  assert.ok(s.log.some((m) => m.type === AgentMsg.FILE_XFER_STATUS && m.id === id1));
  // The queued one never reached the guest at all.
  assert.ok(!s.log.some((m) => m.id === id3));
  assert.deepEqual(s.views().map((v) => v.state), ['cancelled', 'starting', 'cancelled']);
  s.xfers.dismiss(id1!);
  assert.deepEqual(s.views().map((v) => v.name), ['two', 'three']);
});

test('a refusal from the guest fails that file with a reason, and the agent going away fails the rest', () => {
  const s = setup();
  const [id1] = s.xfers.add([new File(['a'], 'a'), new File(['b'], 'b'), new File(['c'], 'c')]);
  const free = Buffer.alloc(8);
  free.writeBigUInt64LE(5n * 1024n * 1024n);
  s.xfers.status(id1!, XferStatus.NOT_ENOUGH_SPACE, free);
  // A status for a file that is not the one in flight changes nothing.
  s.xfers.status(999, XferStatus.SUCCESS, new Uint8Array(0));
  s.xfers.agentGone();
  const v = s.views();
  assert.deepEqual(v.map((x) => x.state), ['failed', 'failed', 'failed']);
  assert.match(v[0]!.error!, /not enough space in the guest \(5\.0 MiB free\)/);
  assert.match(v[1]!.error!, /agent stopped/);
});

test('status words and sizes', () => {
  const cases: Array<[number, RegExp]> = [
    [XferStatus.CANCELLED, /cancelled/],
    [XferStatus.ERROR, /could not save/],
    [XferStatus.NOT_ENOUGH_SPACE, /^not enough space in the guest: free/],
    [XferStatus.SESSION_LOCKED, /unlock/],
    [XferStatus.VDAGENT_NOT_CONNECTED, /log in/],
    [XferStatus.DISABLED, /turned off/],
    [42, /could not save/],
  ];
  for (const [result, words] of cases) assert.match(transferError(result, new Uint8Array(0)), words, String(result));
  assert.deepEqual([0, 1023, 1024, 1536, 20 * 1024 * 1024, 3 * 1024 ** 4].map(formatBytes), ['0 B', '1023 B', '1.0 KiB', '1.5 KiB', '20 MiB', '3.0 TiB']);
  assert.ok(new AgentProtocolError('x') instanceof Error);
});

test('progress is shown at most every PROGRESS_MS while sending, and always once all is sent', async () => {
  let now = 0;
  const s = setup(0, () => now);
  const seen: number[] = [];
  const data = new Uint8Array(40 * XFER_SLICE);
  const [id] = s.xfers.add([new File([data], 'f')]);
  s.xfers.status(id!, XferStatus.CAN_SEND_DATA, new Uint8Array(0));
  // The clock stands still: however much goes, no progress is drawn until all of it has.
  for (let i = 0; i < 20; i++) {
    s.outbox.addTokens(64);
    await new Promise((r) => setImmediate(r));
    seen.push(s.views()[0]!.sent);
  }
  assert.ok(seen.every((n) => n === 0 || n === data.length), JSON.stringify(seen));
  // With time passing, what has gone shows.
  const t = setup(0, () => now);
  const [id2] = t.xfers.add([new File([data], 'g')]);
  t.xfers.status(id2!, XferStatus.CAN_SEND_DATA, new Uint8Array(0));
  await new Promise((r) => setImmediate(r));
  t.outbox.addTokens(64);
  now += PROGRESS_MS;
  t.outbox.addTokens(64);
  await new Promise((r) => setImmediate(r));
  const mid = t.views()[0]!.sent;
  assert.ok(mid > 0 && mid < data.length, `${mid}`);
  await drive(t, () => t.views()[0]!.state === 'finishing');
  assert.equal(t.views()[0]!.sent, data.length);
});

test('a file is read a block at a time, the next block asked for before this one is taken; a file that ends early fails', async () => {
  for (const size of [0, 5, READ_BLOCK, 2 * READ_BLOCK + 7]) {
    const data = new Uint8Array(size).map((_, i) => (i * 7) % 253);
    const asked: number[] = [];
    const file = new File([data], 'f');
    const source: TransferSource = { name: 'f', size, slice: (a, b) => (asked.push(a), file.slice(a, b)) };
    const blocks: Uint8Array[] = [];
    for await (const block of fileBlocks(source, size)) {
      // Read ahead: the block after this one is already asked for (none past the end).
      assert.equal(asked.length, Math.min(blocks.length + 2, Math.ceil(size / READ_BLOCK)), `size ${size}, block ${blocks.length}`);
      blocks.push(block);
    }
    assert.ok(blocks.every((b) => b.length <= READ_BLOCK));
    assert.deepEqual(Buffer.concat(blocks), Buffer.from(data), `size ${size}`);
  }
  // A file that shrank on disk after the drop: its reads come back empty before the end.
  const shrunk: TransferSource = { name: 's', size: 3 * READ_BLOCK, slice: (a, b) => new Blob([new Uint8Array(a === 0 ? b - a : 0)]) };
  await assert.rejects(async () => {
    for await (const block of fileBlocks(shrunk, shrunk.size)) assert.ok(block.length > 0);
  }, /the file ended at 1048576 of 3145728 bytes/);
});

test('a file that cannot be read fails with what to do, and the guest is told to drop it', async () => {
  const s = setup();
  const unreadable: TransferSource = { name: 'gone.bin', size: 2 * READ_BLOCK, slice: () => ({ arrayBuffer: () => Promise.reject(new Error('NotReadableError')) }) };
  const [id] = s.xfers.add([unreadable]);
  s.xfers.status(id!, XferStatus.CAN_SEND_DATA, new Uint8Array(0));
  await drive(s, () => s.views()[0]!.state === 'failed');
  assert.match(s.views()[0]!.error!, /the file could not be read \(NotReadableError\): drop it again/);
  assert.deepEqual(s.log.at(-1), { type: AgentMsg.FILE_XFER_STATUS, id });
  assert.equal(s.files.get(id!), undefined, 'no data went out');
});
