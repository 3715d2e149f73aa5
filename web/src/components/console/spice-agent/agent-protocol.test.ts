import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AgentCap,
  AgentProtocolError,
  chunkMessage,
  ClipboardType,
  decodeCapabilities,
  decodeClipboard,
  decodeClipboardGrab,
  decodeClipboardRelease,
  decodeClipboardRequest,
  decodeFileXferStatus,
  decodeReply,
  encodeAgentMessage,
  encodeCapabilities,
  encodeClipboard,
  encodeClipboardGrab,
  encodeClipboardRelease,
  encodeClipboardRequest,
  encodeFileXferDataMessage,
  encodeFileXferStart,
  encodeFileXferStatus,
  encodeMonitorsConfig,
  Selection,
} from './agent-protocol';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('agent messages: the 20-byte header (protocol 1, type, zero opaque, size) then the body', () => {
  assert.equal(hex(encodeAgentMessage(7, new Uint8Array([0xaa, 0xbb]))), '01000000' + '07000000' + '0000000000000000' + '02000000' + 'aabb');
  assert.equal(encodeAgentMessage(4, new Uint8Array(0)).length, 20);
});

test('chunkMessage cuts at the limit and keeps every byte in order', () => {
  const cases: Array<[number, number, number[]]> = [
    [0, 2048, []],
    [1, 2048, [1]],
    [2048, 2048, [2048]],
    [2049, 2048, [2048, 1]],
    [5000, 2048, [2048, 2048, 904]],
    [10, 3, [3, 3, 3, 1]],
  ];
  for (const [size, max, lengths] of cases) {
    const msg = Uint8Array.from({ length: size }, (_, i) => i % 251);
    const chunks = chunkMessage(msg, max);
    assert.deepEqual(chunks.map((c) => c.length), lengths, `${size}/${max}`);
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(msg));
  }
  assert.throws(() => chunkMessage(new Uint8Array(1), 0), RangeError);
});

test('capabilities: bits in 32-bit words after the request flag, and back', () => {
  const cases: Array<[boolean, number[], string]> = [
    [true, [], '0100000000000000'],
    [false, [AgentCap.MONITORS_CONFIG, AgentCap.CLIPBOARD_BY_DEMAND], '0000000022000000'],
    [true, [0, 31], '0100000001000080'],
    [false, [32], '000000000000000001000000'],
  ];
  for (const [request, caps, wire] of cases) {
    const body = encodeCapabilities(request, caps);
    assert.equal(hex(body), wire, caps.join(','));
    const back = decodeCapabilities(body);
    assert.equal(back.request, request);
    assert.deepEqual([...back.caps].sort((a, b) => a - b), caps);
  }
  assert.throws(() => decodeCapabilities(new Uint8Array(2)), AgentProtocolError);
});

test('clipboard messages carry the selection byte only when it was negotiated', () => {
  const text = new TextEncoder().encode('héllo');
  const cases: Array<[string, Uint8Array, string]> = [
    ['grab, no selection', encodeClipboardGrab(null, [ClipboardType.UTF8_TEXT]), '01000000'],
    ['grab, primary', encodeClipboardGrab(Selection.PRIMARY, [1, 2]), '01000000' + '01000000' + '02000000'],
    ['request, no selection', encodeClipboardRequest(null, ClipboardType.IMAGE_PNG), '02000000'],
    ['request, clipboard', encodeClipboardRequest(Selection.CLIPBOARD, 1), '00000000' + '01000000'],
    ['data, clipboard', encodeClipboard(Selection.CLIPBOARD, 1, text), '00000000' + '01000000' + hex(text)],
    ['data, no selection', encodeClipboard(null, 0, new Uint8Array(0)), '00000000'],
    ['release, primary', encodeClipboardRelease(Selection.PRIMARY), '01000000'],
    ['release, no selection', encodeClipboardRelease(null), ''],
  ];
  for (const [name, body, wire] of cases) assert.equal(hex(body), wire, name);

  assert.deepEqual(decodeClipboardGrab(encodeClipboardGrab(Selection.PRIMARY, [1, 2]), true), { selection: 1, types: [1, 2] });
  assert.deepEqual(decodeClipboardGrab(encodeClipboardGrab(null, [2]), false), { selection: 0, types: [2] });
  assert.deepEqual(decodeClipboardRequest(encodeClipboardRequest(2, 1), true), { selection: 2, type: 1 });
  assert.deepEqual(decodeClipboardRelease(encodeClipboardRelease(1), true), { selection: 1 });
  const data = decodeClipboard(encodeClipboard(0, 1, text), true);
  assert.equal(new TextDecoder().decode(data.data), 'héllo');
  assert.equal(data.type, 1);
  assert.throws(() => decodeClipboardRequest(new Uint8Array(4), true), AgentProtocolError);
  assert.throws(() => decodeClipboard(new Uint8Array(2), false), AgentProtocolError);
});

test('monitors config: count, flags, then height before width', () => {
  const body = encodeMonitorsConfig([{ width: 1280, height: 720, depth: 32, x: 0, y: -1 }]);
  assert.equal(hex(body), '01000000' + '00000000' + 'd0020000' + '00050000' + '20000000' + '00000000' + 'ffffffff');
});

test('file transfer: the start key file (escaped, UTF-8, NUL-terminated), data with a 64-bit size, status both ways', () => {
  const cases: Array<[string, string]> = [
    ['a.txt', 'name=a.txt'],
    ['résumé 📄.pdf', 'name=résumé 📄.pdf'],
    ['two\nlines', 'name=two\\nlines'],
    [' lead\\back', 'name=\\slead\\\\back'],
  ];
  for (const [name, line] of cases) {
    const body = encodeFileXferStart(9, name, 20971520);
    assert.equal(new DataView(body.buffer).getUint32(0, true), 9);
    assert.equal(body[body.length - 1], 0);
    assert.equal(new TextDecoder().decode(body.subarray(4, -1)), `[vdagent-file-xfer]\n${line}\nsize=20971520\n`);
  }
  // Agent header (protocol 1, FILE_XFER_DATA = 12, opaque 0, size 14), then id, length, bytes.
  assert.equal(hex(encodeFileXferDataMessage(3, new Uint8Array([5, 6]))), '01000000' + '0c000000' + '0000000000000000' + '0e000000' + '03000000' + '0200000000000000' + '0506');
  assert.equal(hex(encodeFileXferStatus(3, 1)), '03000000' + '01000000');
  const status = decodeFileXferStatus(Uint8Array.from(Buffer.from('0300000004000000' + '0010000000000000', 'hex')));
  assert.equal(status.id, 3);
  assert.equal(status.result, 4);
  assert.equal(status.detail.length, 8);
  assert.throws(() => decodeFileXferStatus(new Uint8Array(7)), AgentProtocolError);
  assert.deepEqual(decodeReply(Uint8Array.from(Buffer.from('0200000001000000', 'hex'))), { type: 2, error: 1 });
});
