// The last `capacity` bytes written, in order: the serial console's scrollback. Bytes, not
// lines, so memory is bounded whatever the guest prints. The buffer grows by doubling up to
// the capacity: most guests print a few KiB, and ten idle VMs should not cost megabytes.
const INITIAL_BYTES = 4096;

export class ScrollbackRing {
  private buf: Buffer;
  private start = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`scrollback capacity must be a positive integer, got ${capacity}`);
    this.buf = Buffer.alloc(Math.min(capacity, INITIAL_BYTES));
  }

  // Appends bytes, dropping the oldest once full.
  append(chunk: Uint8Array): void {
    let data = chunk;
    if (this.buf.length < this.capacity && this.length + data.length > this.buf.length) this.grow(this.length + data.length);
    if (data.length >= this.capacity) {
      data = data.subarray(data.length - this.capacity);
      this.buf.set(data, 0);
      this.start = 0;
      this.length = this.capacity;
      return;
    }
    const size = this.buf.length;
    const end = (this.start + this.length) % size;
    const first = Math.min(data.length, size - end);
    this.buf.set(data.subarray(0, first), end);
    if (first < data.length) this.buf.set(data.subarray(first), 0);
    const overflow = Math.max(0, this.length + data.length - size);
    this.start = (this.start + overflow) % size;
    this.length = Math.min(size, this.length + data.length);
  }

  // Re-lays the held bytes at the start of a larger buffer (never past the capacity).
  private grow(needed: number): void {
    let size = this.buf.length;
    while (size < needed && size < this.capacity) size *= 2;
    const next = Buffer.alloc(Math.min(size, this.capacity));
    this.snapshot().copy(next, 0);
    this.buf = next;
    this.start = 0;
  }

  // A copy of the held bytes, oldest first.
  snapshot(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    const first = Math.min(this.length, this.buf.length - this.start);
    this.buf.copy(out, 0, this.start, this.start + first);
    if (first < this.length) this.buf.copy(out, first, 0, this.length - first);
    return out;
  }

  get size(): number {
    return this.length;
  }
}
