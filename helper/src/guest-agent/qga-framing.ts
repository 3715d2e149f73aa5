import { LineReader } from '../qmp/line-reader';

// The byte the agent puts before its answer to guest-sync-delimited, and that a client sends
// before a sync so the agent drops whatever half a request a previous client left. 0xFF never
// occurs in UTF-8, so it cannot be part of a JSON line.
export const QGA_SENTINEL = 0xff;

// What the agent's byte stream turns into: answer lines, and the sentinel that says "what came
// before is stale, parse afresh from here".
export type QgaFrame = { type: 'line'; line: string } | { type: 'sentinel' } | { type: 'overflow'; limit: number };

// Splits the agent's stream into lines (QMP-like JSON, one per line, no greeting), and resets
// the half-read line at every sentinel so a stale fragment cannot glue onto the next answer.
export class QgaFramer {
  private reader: LineReader;

  constructor(private readonly maxLineBytes: number) {
    this.reader = new LineReader(maxLineBytes);
  }

  push(chunk: Buffer): QgaFrame[] {
    const out: QgaFrame[] = [];
    let start = 0;
    for (;;) {
      const at = chunk.indexOf(QGA_SENTINEL, start);
      for (const o of this.reader.push(chunk.subarray(start, at === -1 ? chunk.length : at))) {
        if (o.type === 'overflow') out.push(o);
        else if (o.line.trim() !== '') out.push(o);
      }
      if (at === -1) return out;
      this.reader = new LineReader(this.maxLineBytes);
      out.push({ type: 'sentinel' });
      start = at + 1;
    }
  }
}

// One request line. The id lets a reply be told from a stale one when the agent echoes it.
export function encodeCommand(command: string, args: Record<string, unknown> | undefined, id: number): Buffer {
  const request = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
  return Buffer.from(`${JSON.stringify(request)}\n`);
}

// The resync: a sentinel (the agent drops any half-read request), then guest-sync-delimited with
// a fresh id; every answer before the sentinel-led echo of that id is stale.
export function encodeSync(id: number): Buffer {
  return Buffer.concat([Buffer.from([QGA_SENTINEL]), Buffer.from(`${JSON.stringify({ execute: 'guest-sync-delimited', arguments: { id } })}\n`)]);
}
