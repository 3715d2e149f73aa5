// Signed 16-bit little-endian interleaved PCM (what SPICE carries raw) to and from the planar
// floats Web Audio works in, and the level the console's meter shows.

// One plane per channel, each sample scaled by that channel's gain (the guest's mixer volume,
// 0..1; a missing entry counts as 1). A trailing partial frame is dropped.
export function s16leToPlanar(pcm: ArrayBuffer, channels: number, gains: readonly number[] = []): Float32Array[] {
  const frames = Math.floor(pcm.byteLength / (2 * channels));
  const dv = new DataView(pcm);
  const planes = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let c = 0; c < channels; c++) {
    const plane = planes[c]!;
    const gain = (gains[c] ?? 1) / 32768;
    for (let f = 0; f < frames; f++) plane[f] = dv.getInt16(2 * (f * channels + c), true) * gain;
  }
  return planes;
}

// Planes (all the same length) to interleaved S16LE, clipped to the 16-bit range (the same
// scale as s16leToPlanar, so a round trip is exact). A mono
// source feeding a stereo stream is repeated on every channel.
export function planarToS16le(planes: readonly Float32Array[], channels: number): Uint8Array {
  const frames = planes[0]?.length ?? 0;
  const out = new Uint8Array(frames * channels * 2);
  const dv = new DataView(out.buffer);
  for (let c = 0; c < channels; c++) {
    const plane = planes[Math.min(c, planes.length - 1)];
    if (!plane) continue;
    for (let f = 0; f < frames; f++) {
      dv.setInt16(2 * (f * channels + c), Math.max(-32768, Math.min(32767, Math.round(plane[f]! * 32768))), true);
    }
  }
  return out;
}

// The root mean square over every channel (0 silence, about 0.707 a full-scale sine).
export function rmsLevel(planes: readonly Float32Array[]): number {
  let sum = 0;
  let n = 0;
  for (const plane of planes) {
    for (const s of plane) sum += s * s;
    n += plane.length;
  }
  return n === 0 ? 0 : Math.sqrt(sum / n);
}

// The meter: jumps up to a louder block at once, falls back slowly (by `fall` per second), as
// VU-style meters do, so short sounds stay visible.
export function meterLevel(previous: number, block: number, elapsedSeconds: number, fall = 1.5): number {
  return Math.max(block, previous - fall * Math.max(0, elapsedSeconds));
}
