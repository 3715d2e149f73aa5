// What one chunk of socket data turned into: complete lines, or notice that a line outgrew the cap.
export type LineReaderOutput = { type: 'line'; line: string } | { type: 'overflow'; limit: number };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

// QMP sends one JSON object per CRLF-terminated line, but a socket delivers arbitrary chunks:
// half a line, or several lines at once. This puts lines back together, byte-exact (a UTF-8
// character split across chunks survives), and caps a line's size so a peer that never sends a
// newline cannot grow memory without bound. An over-long line is reported once and then skipped
// up to its newline, so the stream stays in sync.
export class LineReader {
  private parts: Buffer[] = [];
  private size = 0;
  private discarding = false;

  constructor(private readonly maxLineBytes: number) {}

  push(chunk: Buffer): LineReaderOutput[] {
    const out: LineReaderOutput[] = [];
    let start = 0;
    while (start <= chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      if (this.append(chunk.subarray(start, end))) out.push({ type: 'overflow', limit: this.maxLineBytes });
      if (newline === -1) break;
      const line = this.finishLine();
      if (line !== null) out.push({ type: 'line', line });
      start = newline + 1;
    }
    return out;
  }

  // Returns true at the moment the current line first exceeds the cap.
  private append(piece: Buffer): boolean {
    if (piece.length === 0 || this.discarding) return false;
    if (this.size + piece.length > this.maxLineBytes) {
      this.discarding = true;
      this.parts = [];
      this.size = 0;
      return true;
    }
    this.parts.push(piece);
    this.size += piece.length;
    return false;
  }

  private finishLine(): string | null {
    if (this.discarding) {
      this.discarding = false;
      return null;
    }
    let bytes = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
    if (bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN) bytes = bytes.subarray(0, -1);
    this.parts = [];
    this.size = 0;
    return bytes.toString('utf8');
  }
}
