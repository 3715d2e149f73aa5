import { rmsLevel } from './pcm';

// The browser's microphone for the guest. open() asks for it (the browser's permission prompt);
// run() then taps it at the rate the guest records at, in 10 ms blocks of planar floats.
export const MIC_WORKLET_URL = '/audio/mic-capture-worklet.js';

export class MicCapture {
  private ctx: AudioContext | null = null;
  private rate = 0;
  level = 0;

  private constructor(private readonly stream: MediaStream) {}

  // Rejects with the browser's DOMException (NotAllowedError when refused, NotFoundError
  // when there is no microphone).
  static async open(): Promise<MicCapture> {
    if (!navigator.mediaDevices?.getUserMedia) throw new DOMException('this page cannot use a microphone here', 'NotSupportedError');
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true }, video: false });
    return new MicCapture(stream);
  }

  // The context runs at the guest's rate, so the browser resamples, not this code.
  async run(frequency: number, onBlock: (planes: Float32Array[]) => void): Promise<void> {
    if (this.ctx && this.rate === frequency) return;
    this.pause();
    const ctx = new AudioContext({ sampleRate: frequency, latencyHint: 'interactive' });
    this.ctx = ctx;
    this.rate = frequency;
    await ctx.audioWorklet.addModule(MIC_WORKLET_URL);
    if (this.ctx !== ctx) return;
    const source = ctx.createMediaStreamSource(this.stream);
    const tap = new AudioWorkletNode(ctx, 'openutm-mic-capture', { numberOfOutputs: 0 });
    tap.port.onmessage = (e: MessageEvent<Float32Array[]>) => {
      this.level = rmsLevel(e.data);
      onBlock(e.data);
    };
    source.connect(tap);
    // Made without a gesture of its own (the guest started recording), it may start suspended;
    // the click that turned the microphone on counts as the page's activation.
    await ctx.resume().catch(() => undefined);
  }

  pause(): void {
    const ctx = this.ctx;
    this.ctx = null;
    this.rate = 0;
    this.level = 0;
    if (ctx) void ctx.close().catch(() => undefined);
  }

  close(): void {
    this.pause();
    for (const track of this.stream.getTracks()) track.stop();
  }
}

// What to tell the person when the microphone could not be opened.
export function micErrorMessage(e: unknown): string {
  const name = e instanceof DOMException ? e.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'the browser was not allowed to use the microphone; allow it in the site settings (the icon left of the address) and try again';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'no microphone found; connect one and try again';
    case 'NotReadableError':
      return 'the microphone is in use by another program or cannot be read; close that program and try again';
    case 'NotSupportedError':
      return 'this page cannot use a microphone here (it needs the helper’s own address, http://127.0.0.1)';
    default:
      return `the microphone could not be opened (${e instanceof Error ? e.message : String(e)})`;
  }
}
