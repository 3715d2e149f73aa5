import { meterLevel, rmsLevel, s16leToPlanar } from './pcm';
import { PlayoutClock } from './playout-clock';
import type { AudioFormat } from './spice-audio-wire';

// What the console measured of the guest's sound, for the meter (and the tests).
export interface OutputStats {
  // 0..1, the RMS of what the guest plays (after its own mixer, before the page's volume).
  level: number;
  // The loudest block so far (RMS): what a check that sound arrived reads, however late it looks.
  peak: number;
  blocks: number;
  bytes: number;
  underruns: number;
  dropped: number;
  // Seconds of sound queued ahead of the audio clock: the latency the jitter buffer adds.
  queued: number;
  // The guest's own mixer, per channel (0..1; empty until the guest set it), and its mute.
  guestVolume: number[];
  guestMuted: boolean;
}

// Plays the raw PCM blocks of the SPICE playback channel through Web Audio: each block is an
// AudioBuffer started at its slot on the audio clock (PlayoutClock), all through one gain node
// (the page's volume and mute, and the guest's mute). The AudioContext is made when the guest
// starts playing; browsers keep it suspended until the page had a user gesture.
export class AudioOutput {
  private ctx: AudioContext | null = null;
  private gain: GainNode | null = null;
  private format: AudioFormat | null = null;
  private readonly clock = new PlayoutClock();
  private guestGains: number[] = [];
  private guestMuted = false;
  private volume = 1;
  private muted = false;
  private levelAt = 0;
  private lastLevel = 0;
  private blocks = 0;
  private bytes = 0;
  private streaming = false;
  private peak = 0;

  constructor(private readonly onState: () => void) {}

  start(format: AudioFormat): void {
    this.format = format;
    this.clock.reset();
    this.streaming = true;
    if (this.ctx) return this.onState();
    const ctx = new AudioContext({ latencyHint: 'interactive' });
    this.gain = ctx.createGain();
    this.gain.connect(ctx.destination);
    ctx.onstatechange = () => this.onState();
    this.ctx = ctx;
    this.applyGain();
    this.onState();
  }

  play(pcm: ArrayBuffer): void {
    const { format, ctx, gain } = this;
    if (!format || !ctx || !gain) return;
    const planes = s16leToPlanar(pcm, format.channels, this.guestGains);
    this.blocks++;
    this.bytes += pcm.byteLength;
    const now = performance.now();
    const block = rmsLevel(planes);
    this.peak = Math.max(this.peak, block);
    this.lastLevel = meterLevel(this.levelNow(now), block, 0);
    this.levelAt = now;
    const frames = planes[0]?.length ?? 0;
    // A suspended clock does not move: queueing would only pile up sound to play late.
    if (frames === 0 || ctx.state !== 'running') return;
    const buffer = ctx.createBuffer(format.channels, frames, format.frequency);
    planes.forEach((plane, c) => buffer.copyToChannel(plane as Float32Array<ArrayBuffer>, c));
    const at = this.clock.place(ctx.currentTime, buffer.duration);
    if (at === null) return;
    const node = ctx.createBufferSource();
    node.buffer = buffer;
    node.connect(gain);
    node.start(at);
  }

  stop(): void {
    this.clock.reset();
    this.streaming = false;
    this.onState();
  }

  // The guest's mixer, per channel, 0..65535.
  setGuestVolume(volume: readonly number[]): void {
    this.guestGains = volume.map((v) => v / 65535);
  }

  setGuestMute(muted: boolean): void {
    this.guestMuted = muted;
    this.applyGain();
  }

  // The page's own control. The slider is squared: equal steps then sound about equally loud.
  setOutput(volume: number, muted: boolean): void {
    this.volume = volume;
    this.muted = muted;
    this.applyGain();
  }

  private applyGain(): void {
    if (!this.gain || !this.ctx) return;
    const target = this.muted || this.guestMuted ? 0 : this.volume * this.volume;
    // A short ramp: a jump in gain clicks.
    this.gain.gain.setTargetAtTime(target, this.ctx.currentTime, 0.01);
  }

  // True while the guest plays but the browser holds the sound back for a user gesture.
  get blocked(): boolean {
    return this.ctx?.state === 'suspended';
  }

  // Between the guest's START and STOP.
  get playing(): boolean {
    return this.streaming;
  }

  resume(): void {
    void this.ctx?.resume().catch(() => undefined);
  }

  private levelNow(now: number): number {
    return meterLevel(this.lastLevel, 0, (now - this.levelAt) / 1000);
  }

  stats(): OutputStats {
    const now = this.ctx?.currentTime ?? 0;
    return {
      level: this.levelNow(performance.now()),
      peak: this.peak,
      blocks: this.blocks,
      bytes: this.bytes,
      underruns: this.clock.underruns,
      dropped: this.clock.dropped,
      queued: this.clock.queued(now),
      guestVolume: this.guestGains,
      guestMuted: this.guestMuted,
    };
  }

  close(): void {
    const ctx = this.ctx;
    this.ctx = null;
    this.gain = null;
    if (ctx) {
      ctx.onstatechange = null;
      void ctx.close().catch(() => undefined);
    }
  }
}
