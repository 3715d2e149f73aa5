// The bytes of SPICE's playback and record channels (spice.proto; everything little-endian,
// packed). spice-html5 only plays Opus through MediaSource and has no record channel, so the
// console speaks both channels itself.

export const CHANNEL = { playback: 5, record: 6 } as const;

export const PLAYBACK_MSG = { data: 101, mode: 102, start: 103, stop: 104, volume: 105, mute: 106, latency: 107 } as const;
export const RECORD_MSG = { start: 101, stop: 102, volume: 103, mute: 104 } as const;
export const RECORD_MSGC = { data: 101, mode: 102, startMark: 103 } as const;

// Capability bits. The console asks for raw PCM: it is what QEMU makes, the helper is on the
// same machine (1.5 Mbit/s is nothing on loopback), and it needs no decoder, so no codec
// delay and the same path in every browser. VOLUME makes the server forward the guest's mixer
// (QEMU leaves volume to the SPICE client when the backend is spice).
export const PLAYBACK_CAP = { volume: 1 } as const;
export const RECORD_CAP = { volume: 1 } as const;

export const AUDIO_MODE = { raw: 1, celt: 2, opus: 3 } as const;
export const AUDIO_FMT_S16 = 1;

export interface AudioFormat {
  channels: number;
  frequency: number;
}

// What the server says on a playback or record channel, as the console uses it.
export type ServerAudioMessage =
  | { kind: 'mode'; mode: number }
  | { kind: 'start'; format: AudioFormat; sampleFormat: number }
  | { kind: 'data'; time: number; pcm: ArrayBuffer }
  | { kind: 'stop' }
  | { kind: 'volume'; volume: number[] }
  | { kind: 'mute'; mute: boolean }
  | { kind: 'latency'; ms: number }
  | { kind: 'unknown'; type: number };

function view(data: ArrayBuffer | undefined, need: number): DataView {
  const buf = data ?? new ArrayBuffer(0);
  if (buf.byteLength < need) throw new RangeError(`SPICE audio message of ${buf.byteLength} bytes, expected at least ${need}`);
  return new DataView(buf);
}

function volumes(data: ArrayBuffer | undefined): number[] {
  const dv = view(data, 1);
  const n = dv.getUint8(0);
  view(data, 1 + 2 * n);
  return Array.from({ length: n }, (_, i) => dv.getUint16(1 + 2 * i, true));
}

export function parsePlaybackMessage(type: number, data: ArrayBuffer | undefined): ServerAudioMessage {
  switch (type) {
    case PLAYBACK_MSG.data:
      return { kind: 'data', time: view(data, 4).getUint32(0, true), pcm: data!.slice(4) };
    case PLAYBACK_MSG.mode:
      return { kind: 'mode', mode: view(data, 6).getUint16(4, true) };
    case PLAYBACK_MSG.start: {
      const dv = view(data, 14);
      return { kind: 'start', format: { channels: dv.getUint32(0, true), frequency: dv.getUint32(6, true) }, sampleFormat: dv.getUint16(4, true) };
    }
    case PLAYBACK_MSG.stop:
      return { kind: 'stop' };
    case PLAYBACK_MSG.volume:
      return { kind: 'volume', volume: volumes(data) };
    case PLAYBACK_MSG.mute:
      return { kind: 'mute', mute: view(data, 1).getUint8(0) !== 0 };
    case PLAYBACK_MSG.latency:
      return { kind: 'latency', ms: view(data, 4).getUint32(0, true) };
    default:
      return { kind: 'unknown', type };
  }
}

// Record START has no time field, unlike playback's.
export function parseRecordMessage(type: number, data: ArrayBuffer | undefined): ServerAudioMessage {
  switch (type) {
    case RECORD_MSG.start: {
      const dv = view(data, 10);
      return { kind: 'start', format: { channels: dv.getUint32(0, true), frequency: dv.getUint32(6, true) }, sampleFormat: dv.getUint16(4, true) };
    }
    case RECORD_MSG.stop:
      return { kind: 'stop' };
    case RECORD_MSG.volume:
      return { kind: 'volume', volume: volumes(data) };
    case RECORD_MSG.mute:
      return { kind: 'mute', mute: view(data, 1).getUint8(0) !== 0 };
    default:
      return { kind: 'unknown', type };
  }
}

// A message in the mini header the console links with: type u16, size u32, body.
export function miniMessage(type: number, body: Uint8Array): ArrayBuffer {
  const out = new Uint8Array(6 + body.byteLength);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, type, true);
  dv.setUint32(2, body.byteLength, true);
  out.set(body, 6);
  return out.buffer;
}

function timed(time: number, extra: number): { bytes: Uint8Array; dv: DataView } {
  const bytes = new Uint8Array(4 + extra);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, time >>> 0, true);
  return { bytes, dv };
}

export function recordModeMessage(time: number, mode: number): ArrayBuffer {
  const { bytes, dv } = timed(time, 2);
  dv.setUint16(4, mode, true);
  return miniMessage(RECORD_MSGC.mode, bytes);
}

export function recordStartMarkMessage(time: number): ArrayBuffer {
  return miniMessage(RECORD_MSGC.startMark, timed(time, 0).bytes);
}

export function recordDataMessage(time: number, pcm: Uint8Array): ArrayBuffer {
  const { bytes } = timed(time, pcm.byteLength);
  bytes.set(pcm, 4);
  return miniMessage(RECORD_MSGC.data, bytes);
}

// The main channel's CHANNELS_LIST (count u32, then type u8 + id u8 each), split into the
// audio channels the console opens itself and the list spice-html5 gets to see.
export function splitAudioChannels(list: ArrayBuffer): { rest: ArrayBuffer; audio: { type: number; id: number }[] } {
  const dv = view(list, 4);
  const count = dv.getUint32(0, true);
  view(list, 4 + 2 * count);
  const keep: number[] = [];
  const audio: { type: number; id: number }[] = [];
  for (let i = 0; i < count; i++) {
    const type = dv.getUint8(4 + 2 * i);
    const id = dv.getUint8(5 + 2 * i);
    if (type === CHANNEL.playback || type === CHANNEL.record) audio.push({ type, id });
    else keep.push(type, id);
  }
  const rest = new Uint8Array(4 + keep.length);
  new DataView(rest.buffer).setUint32(0, keep.length / 2, true);
  rest.set(keep, 4);
  return { rest: rest.buffer, audio };
}

// The link a channel opens with (SpiceLinkHeader + SpiceLinkMess), with the capabilities the
// console chooses: spice-html5's own offers Opus on playback whenever MediaSource plays it.
// Common caps: auth selection and the mini header, as every spice-html5 channel asks.
export function linkMessage(connectionId: number, type: number, id: number, channelCaps: number): ArrayBuffer {
  const common = (1 << 0) | (1 << 3);
  const body = 18 + 4 + 4;
  const out = new ArrayBuffer(16 + body);
  const dv = new DataView(out);
  [...'REDQ'].forEach((ch, i) => dv.setUint8(i, ch.charCodeAt(0)));
  dv.setUint32(4, 2, true);
  dv.setUint32(8, 2, true);
  dv.setUint32(12, body, true);
  dv.setUint32(16, connectionId >>> 0, true);
  dv.setUint8(20, type);
  dv.setUint8(21, id);
  dv.setUint32(22, 1, true);
  dv.setUint32(26, 1, true);
  dv.setUint32(30, 18, true);
  dv.setUint32(34, common, true);
  dv.setUint32(38, channelCaps, true);
  return out;
}
