// The last `capacity` bytes written, in order: the serial console's scrollback. Bytes, not
// lines, so memory is fixed whatever the guest prints (one allocation, never grows).
export class ScrollbackRing {
  private readonly buf: Buffer;
  private start = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`scrollback capacity must be a positive integer, got ${capacity}`);
    this.buf = Buffer.alloc(capacity);
  }

  // Appends bytes, dropping the oldest once full.
  append(chunk: Uint8Array): void {
    let data = chunk;
    if (data.length >= this.capacity) {
      data = data.subarray(data.length - this.capacity);
      this.buf.set(data, 0);
      this.start = 0;
      this.length = this.capacity;
      return;
    }
    const end = (this.start + this.length) % this.capacity;
    const first = Math.min(data.length, this.capacity - end);
    this.buf.set(data.subarray(0, first), end);
    if (first < data.length) this.buf.set(data.subarray(first), 0);
    const overflow = Math.max(0, this.length + data.length - this.capacity);
    this.start = (this.start + overflow) % this.capacity;
    this.length = Math.min(this.capacity, this.length + data.length);
  }

  // A copy of the held bytes, oldest first.
  snapshot(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    const first = Math.min(this.length, this.capacity - this.start);
    this.buf.copy(out, 0, this.start, this.start + first);
    if (first < this.length) this.buf.copy(out, first, 0, this.length - first);
    return out;
  }

  get size(): number {
    return this.length;
  }
}
