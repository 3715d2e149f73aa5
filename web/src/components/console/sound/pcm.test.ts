import assert from 'node:assert/strict';
import { test } from 'node:test';
import { meterLevel, planarToS16le, rmsLevel, s16leToPlanar } from './pcm';

function s16(...samples: number[]): ArrayBuffer {
  const dv = new DataView(new ArrayBuffer(samples.length * 2));
  samples.forEach((s, i) => dv.setInt16(2 * i, s, true));
  return dv.buffer;
}

test('interleaved S16LE splits into one plane per channel, scaled to -1..1 and by its gain', () => {
  const cases: { name: string; pcm: ArrayBuffer; channels: number; gains?: number[]; want: number[][] }[] = [
    { name: 'stereo', pcm: s16(16384, -32768, 0, 32767), channels: 2, want: [[0.5, 0], [-1, 32767 / 32768]] },
    { name: 'mono', pcm: s16(-16384, 8192), channels: 1, want: [[-0.5, 0.25]] },
    { name: 'gains per channel', pcm: s16(16384, 16384), channels: 2, gains: [0.5, 0], want: [[0.25], [0]] },
    { name: 'a partial frame is dropped', pcm: concat(s16(16384, 16384), [1]), channels: 2, want: [[0.5], [0.5]] },
    { name: 'empty', pcm: new ArrayBuffer(0), channels: 2, want: [[], []] },
  ];
  for (const c of cases) {
    assert.deepEqual(s16leToPlanar(c.pcm, c.channels, c.gains).map((p) => [...p]), c.want, c.name);
  }
});

function concat(a: ArrayBuffer, b: number[]): ArrayBuffer {
  return new Uint8Array([...new Uint8Array(a), ...b]).buffer;
}

test('planes back to interleaved S16LE: clipped, and mono repeated on every channel', () => {
  const read = (u: Uint8Array) => Array.from({ length: u.byteLength / 2 }, (_, i) => new DataView(u.buffer).getInt16(2 * i, true));
  assert.deepEqual(read(planarToS16le([new Float32Array([0.5, -1]), new Float32Array([1, 0])], 2)), [16384, 32767, -32768, 0]);
  assert.deepEqual(read(planarToS16le([new Float32Array([2, -2])], 2)), [32767, 32767, -32768, -32768]);
  assert.deepEqual(read(planarToS16le([], 2)), []);
});

test('a round trip keeps the samples', () => {
  const pcm = s16(0, 1, -1, 12345, -12345, 32767, -32768, 100);
  assert.deepEqual([...planarToS16le(s16leToPlanar(pcm, 2), 2)], [...new Uint8Array(pcm)]);
});

test('RMS level: silence is 0, a full-scale square 1, a full-scale sine about 0.707', () => {
  const sine = Float32Array.from({ length: 4800 }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / 48000));
  const cases: [string, Float32Array[], number][] = [
    ['silence', [new Float32Array(480)], 0],
    ['nothing', [], 0],
    ['square', [Float32Array.from({ length: 100 }, (_, i) => (i % 2 ? 1 : -1))], 1],
    ['sine', [sine, sine], Math.SQRT1_2],
  ];
  for (const [name, planes, want] of cases) assert.ok(Math.abs(rmsLevel(planes) - want) < 1e-3, `${name}: ${rmsLevel(planes)}`);
});

test('the meter jumps up and falls back slowly', () => {
  const cases: [number, number, number, number][] = [
    // previous, block, elapsed s, expected
    [0, 0.5, 0.01, 0.5],
    [0.5, 0, 0.1, 0.35],
    [0.5, 0.4, 0.1, 0.4],
    [0.1, 0, 1, 0],
    [0.3, 0, -1, 0.3],
  ];
  for (const [prev, block, dt, want] of cases) assert.ok(Math.abs(meterLevel(prev, block, dt) - want) < 1e-9, `${prev},${block},${dt}`);
});
