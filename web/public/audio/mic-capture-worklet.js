// The console's microphone tap (sound/mic-capture.ts): hands the main thread the input in
// 10 ms blocks of planar floats, one array per channel. A plain file, not bundled, because an
// AudioWorklet module is loaded by URL and the page's CSP allows scripts from this origin only.
class MicCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.size = Math.round(sampleRate / 100);
    this.planes = null;
    this.filled = 0;
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0) return true;
    if (!this.planes || this.planes.length !== input.length) {
      this.planes = input.map(() => new Float32Array(this.size));
      this.filled = 0;
    }
    let at = 0;
    const frames = input[0].length;
    while (at < frames) {
      const n = Math.min(frames - at, this.size - this.filled);
      input.forEach((ch, c) => this.planes[c].set(ch.subarray(at, at + n), this.filled));
      this.filled += n;
      at += n;
      if (this.filled === this.size) {
        this.port.postMessage(this.planes, this.planes.map((p) => p.buffer));
        this.planes = input.map(() => new Float32Array(this.size));
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('openutm-mic-capture', MicCapture);
