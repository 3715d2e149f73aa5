// D-Bus wire format (little-endian), the subset of the spec a tray needs: every basic type,
// arrays, structs, dict entries and variants. Values: integers as number (64-bit as bigint),
// b as boolean, s/o/g as string, v as Variant, a as array (a{..} as [key, value] pairs; ay
// may be a Buffer when written),
// (..) as array.
export interface Variant {
  sig: string;
  value: DBusValue;
}
export type DBusValue = number | bigint | boolean | string | Variant | Buffer | DBusValue[];

export const variant = (sig: string, value: DBusValue): Variant => ({ sig, value });

const ALIGN: Record<string, number> = { y: 1, b: 4, n: 2, q: 2, i: 4, u: 4, x: 8, t: 8, d: 8, h: 4, s: 4, o: 4, g: 1, a: 4, '(': 8, '{': 8, v: 1 };

// Splits a signature into single complete types: "a{sv}as" → ["a{sv}", "as"].
export function splitSignature(sig: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < sig.length) {
    const end = completeTypeEnd(sig, i);
    out.push(sig.slice(i, end));
    i = end;
  }
  return out;
}

function completeTypeEnd(sig: string, i: number): number {
  const c = sig[i];
  if (c === 'a') return completeTypeEnd(sig, i + 1);
  if (c === '(' || c === '{') {
    const close = c === '(' ? ')' : '}';
    let j = i + 1;
    while (sig[j] !== close) {
      if (j >= sig.length) throw new Error(`unbalanced D-Bus signature ${sig}`);
      j = completeTypeEnd(sig, j);
    }
    return j + 1;
  }
  if (c === undefined || !(c in ALIGN)) throw new Error(`unknown D-Bus type ${c ?? '(end)'} in ${sig}`);
  return i + 1;
}

export class Writer {
  private chunks: Buffer[] = [];
  length = 0;

  constructor(private readonly base = 0) {}

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }

  align(n: number): void {
    const pad = (n - ((this.base + this.length) % n)) % n;
    if (pad) this.push(Buffer.alloc(pad));
  }

  write(sig: string, value: DBusValue): void {
    for (const [i, t] of splitSignature(sig).entries()) this.writeOne(t, sig.length === t.length ? value : (value as DBusValue[])[i]!);
  }

  writeOne(t: string, v: DBusValue): void {
    const c = t[0]!;
    this.align(ALIGN[c]!);
    const num = (size: number, fn: (b: Buffer) => void) => {
      const b = Buffer.alloc(size);
      fn(b);
      this.push(b);
    };
    switch (c) {
      case 'y': return num(1, (b) => b.writeUInt8(Number(v)));
      case 'b': return num(4, (b) => b.writeUInt32LE(v ? 1 : 0));
      case 'n': return num(2, (b) => b.writeInt16LE(Number(v)));
      case 'q': return num(2, (b) => b.writeUInt16LE(Number(v)));
      case 'i': return num(4, (b) => b.writeInt32LE(Number(v)));
      case 'u': case 'h': return num(4, (b) => b.writeUInt32LE(Number(v)));
      case 'x': return num(8, (b) => b.writeBigInt64LE(BigInt(v as number)));
      case 't': return num(8, (b) => b.writeBigUInt64LE(BigInt(v as number)));
      case 'd': return num(8, (b) => b.writeDoubleLE(Number(v)));
      case 's': case 'o': {
        const s = Buffer.from(String(v), 'utf8');
        num(4, (b) => b.writeUInt32LE(s.length));
        return this.push(Buffer.concat([s, Buffer.alloc(1)]));
      }
      case 'g': {
        const s = Buffer.from(String(v), 'ascii');
        return this.push(Buffer.concat([Buffer.from([s.length]), s, Buffer.alloc(1)]));
      }
      case 'v': {
        const { sig, value } = v as Variant;
        this.writeOne('g', sig);
        return this.writeOne(sig, value);
      }
      case '(': case '{': {
        const inner = splitSignature(t.slice(1, -1));
        inner.forEach((it, i) => this.writeOne(it, (v as DBusValue[])[i]!));
        return;
      }
      case 'a': {
        const elem = t.slice(1);
        const lenAt = this.chunks.length;
        num(4, () => undefined);
        this.align(ALIGN[elem[0]!]!);
        const start = this.length;
        if (elem === 'y' && Buffer.isBuffer(v)) this.push(v);
        else for (const item of v as DBusValue[]) this.writeOne(elem, item);
        this.chunks[lenAt]!.writeUInt32LE(this.length - start);
        return;
      }
    }
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export class Reader {
  constructor(
    private readonly buf: Buffer,
    public pos = 0,
  ) {}

  align(n: number): void {
    this.pos += (n - (this.pos % n)) % n;
  }

  read(sig: string): DBusValue[] {
    return splitSignature(sig).map((t) => this.readOne(t));
  }

  readOne(t: string): DBusValue {
    const c = t[0]!;
    this.align(ALIGN[c]!);
    const b = this.buf;
    const at = (n: number) => {
      const p = this.pos;
      if (p + n > b.length) throw new Error('D-Bus message ends early');
      this.pos += n;
      return p;
    };
    switch (c) {
      case 'y': return b.readUInt8(at(1));
      case 'b': return b.readUInt32LE(at(4)) !== 0;
      case 'n': return b.readInt16LE(at(2));
      case 'q': return b.readUInt16LE(at(2));
      case 'i': return b.readInt32LE(at(4));
      case 'u': case 'h': return b.readUInt32LE(at(4));
      case 'x': return b.readBigInt64LE(at(8));
      case 't': return b.readBigUInt64LE(at(8));
      case 'd': return b.readDoubleLE(at(8));
      case 's': case 'o': {
        const len = b.readUInt32LE(at(4));
        const p = at(len + 1);
        return b.toString('utf8', p, p + len);
      }
      case 'g': {
        const len = b.readUInt8(at(1));
        const p = at(len + 1);
        return b.toString('ascii', p, p + len);
      }
      case 'v': {
        const sig = this.readOne('g') as string;
        return { sig, value: this.readOne(sig) };
      }
      case '(': case '{':
        return splitSignature(t.slice(1, -1)).map((it) => this.readOne(it));
      case 'a': {
        const len = b.readUInt32LE(at(4));
        const elem = t.slice(1);
        this.align(ALIGN[elem[0]!]!);
        const end = this.pos + len;
        const items: DBusValue[] = [];
        while (this.pos < end) items.push(this.readOne(elem));
        return items;
      }
    }
    throw new Error(`unknown D-Bus type ${c}`);
  }
}
