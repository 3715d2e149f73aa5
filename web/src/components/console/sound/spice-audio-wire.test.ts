import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CHANNEL,
  linkMessage,
  miniMessage,
  parsePlaybackMessage,
  parseRecordMessage,
  PLAYBACK_MSG,
  RECORD_MSG,
  RECORD_MSGC,
  recordDataMessage,
  recordModeMessage,
  recordStartMarkMessage,
  splitAudioChannels,
  type ServerAudioMessage,
} from './spice-audio-wire';

// Little-endian bytes from [value, width] pairs.
function le(...fields: [number, 1 | 2 | 4][]): ArrayBuffer {
  const size = fields.reduce((n, [, w]) => n + w, 0);
  const dv = new DataView(new ArrayBuffer(size));
  let at = 0;
  for (const [v, w] of fields) {
    if (w === 1) dv.setUint8(at, v);
    else if (w === 2) dv.setUint16(at, v, true);
    else dv.setUint32(at, v, true);
    at += w;
  }
  return dv.buffer;
}

const concat = (a: ArrayBuffer, b: number[]) => new Uint8Array([...new Uint8Array(a), ...b]).buffer;

test('playback messages parse as the server sends them', () => {
  const cases: { name: string; type: number; data: ArrayBuffer | undefined; want: ServerAudioMessage }[] = [
    { name: 'mode raw', type: PLAYBACK_MSG.mode, data: le([1234, 4], [1, 2]), want: { kind: 'mode', mode: 1 } },
    { name: 'mode opus with codec data', type: PLAYBACK_MSG.mode, data: concat(le([0, 4], [3, 2]), [9, 9]), want: { kind: 'mode', mode: 3 } },
    {
      name: 'start 48 kHz stereo S16',
      type: PLAYBACK_MSG.start,
      data: le([2, 4], [1, 2], [48000, 4], [77, 4]),
      want: { kind: 'start', format: { channels: 2, frequency: 48000 }, sampleFormat: 1 },
    },
    { name: 'stop', type: PLAYBACK_MSG.stop, data: undefined, want: { kind: 'stop' } },
    { name: 'volume two channels', type: PLAYBACK_MSG.volume, data: le([2, 1], [65535, 2], [257, 2]), want: { kind: 'volume', volume: [65535, 257] } },
    { name: 'mute on', type: PLAYBACK_MSG.mute, data: le([1, 1]), want: { kind: 'mute', mute: true } },
    { name: 'mute off', type: PLAYBACK_MSG.mute, data: le([0, 1]), want: { kind: 'mute', mute: false } },
    { name: 'latency', type: PLAYBACK_MSG.latency, data: le([120, 4]), want: { kind: 'latency', ms: 120 } },
    { name: 'something newer', type: 199, data: le([1, 4]), want: { kind: 'unknown', type: 199 } },
  ];
  for (const c of cases) assert.deepEqual(parsePlaybackMessage(c.type, c.data), c.want, c.name);
});

test('playback data keeps its time and exactly the PCM after it', () => {
  const msg = parsePlaybackMessage(PLAYBACK_MSG.data, concat(le([0xfffffffe, 4]), [1, 2, 3, 4]));
  assert.equal(msg.kind, 'data');
  if (msg.kind !== 'data') return;
  assert.equal(msg.time, 0xfffffffe);
  assert.deepEqual([...new Uint8Array(msg.pcm)], [1, 2, 3, 4]);
});

test('record messages: START has no time field', () => {
  assert.deepEqual(parseRecordMessage(RECORD_MSG.start, le([2, 4], [1, 2], [44100, 4])), { kind: 'start', format: { channels: 2, frequency: 44100 }, sampleFormat: 1 });
  assert.deepEqual(parseRecordMessage(RECORD_MSG.stop, undefined), { kind: 'stop' });
  assert.deepEqual(parseRecordMessage(RECORD_MSG.volume, le([1, 1], [100, 2])), { kind: 'volume', volume: [100] });
  assert.deepEqual(parseRecordMessage(RECORD_MSG.mute, le([1, 1])), { kind: 'mute', mute: true });
});

test('short messages are refused with a RangeError, not read past their end', () => {
  const cases: [string, () => unknown][] = [
    ['data without time', () => parsePlaybackMessage(PLAYBACK_MSG.data, le([1, 2]))],
    ['start cut short', () => parsePlaybackMessage(PLAYBACK_MSG.start, le([2, 4], [1, 2]))],
    ['record start cut short', () => parseRecordMessage(RECORD_MSG.start, le([2, 4]))],
    ['volume count larger than its data', () => parsePlaybackMessage(PLAYBACK_MSG.volume, le([3, 1], [1, 2]))],
    ['mute without its byte', () => parsePlaybackMessage(PLAYBACK_MSG.mute, undefined)],
  ];
  for (const [name, f] of cases) assert.throws(f, RangeError, name);
});

test('client record messages carry the mini header, the time and the body', () => {
  const cases: { name: string; buf: ArrayBuffer; bytes: number[] }[] = [
    { name: 'mode raw', buf: recordModeMessage(0x01020304, 1), bytes: [RECORD_MSGC.mode, 0, 6, 0, 0, 0, 4, 3, 2, 1, 1, 0] },
    { name: 'start mark', buf: recordStartMarkMessage(5), bytes: [RECORD_MSGC.startMark, 0, 4, 0, 0, 0, 5, 0, 0, 0] },
    { name: 'data', buf: recordDataMessage(2 ** 32 + 7, new Uint8Array([0xaa, 0xbb])), bytes: [RECORD_MSGC.data, 0, 6, 0, 0, 0, 7, 0, 0, 0, 0xaa, 0xbb] },
    { name: 'empty body', buf: miniMessage(300, new Uint8Array()), bytes: [44, 1, 0, 0, 0, 0] },
  ];
  for (const c of cases) assert.deepEqual([...new Uint8Array(c.buf)], c.bytes, c.name);
});

test('the channel list loses its audio channels to the console, the rest stays in order', () => {
  const list = le([5, 4], [1, 1], [0, 1], [CHANNEL.playback, 1], [0, 1], [2, 1], [0, 1], [CHANNEL.record, 1], [0, 1], [3, 1], [0, 1]);
  const { rest, audio } = splitAudioChannels(list);
  assert.deepEqual(audio, [
    { type: CHANNEL.playback, id: 0 },
    { type: CHANNEL.record, id: 0 },
  ]);
  assert.deepEqual([...new Uint8Array(rest)], [3, 0, 0, 0, 1, 0, 2, 0, 3, 0]);
  const none = splitAudioChannels(le([1, 4], [2, 1], [0, 1]));
  assert.deepEqual(none.audio, []);
  assert.deepEqual([...new Uint8Array(none.rest)], [1, 0, 0, 0, 2, 0]);
  assert.throws(() => splitAudioChannels(le([4, 4], [1, 1], [0, 1])), RangeError);
});

// The same bytes spice-html5 would send for a channel with these capabilities.
test('the link message matches what spice-html5 builds, with the capabilities the console chose', async () => {
  const g = globalThis as { navigator?: unknown; window?: unknown };
  g.navigator ??= { appName: 'Netscape' };
  g.window ??= globalThis;
  const { SpiceLinkHeader, SpiceLinkMess } = (await import('@spice-project/spice-html5/src/spicemsg.js')) as unknown as {
    SpiceLinkHeader: new () => { size: number; buffer_size(): number; to_buffer(a: ArrayBuffer, at?: number): void };
    SpiceLinkMess: new () => {
      connection_id: number;
      channel_type: number;
      channel_id: number;
      common_caps: number[];
      channel_caps: number[];
      buffer_size(): number;
      to_buffer(a: ArrayBuffer, at?: number): void;
    };
  };
  for (const [conn, type, id, caps] of [
    [0x12345678, CHANNEL.playback, 0, 2],
    [1, CHANNEL.record, 3, 0],
  ] as const) {
    const hdr = new SpiceLinkHeader();
    const msg = new SpiceLinkMess();
    msg.connection_id = conn;
    msg.channel_type = type;
    msg.channel_id = id;
    msg.common_caps.push((1 << 0) | (1 << 3));
    msg.channel_caps.push(caps);
    hdr.size = msg.buffer_size();
    const want = new ArrayBuffer(hdr.buffer_size() + msg.buffer_size());
    hdr.to_buffer(want);
    msg.to_buffer(want, hdr.buffer_size());
    assert.deepEqual([...new Uint8Array(linkMessage(conn, type, id, caps))], [...new Uint8Array(want)]);
  }
});
