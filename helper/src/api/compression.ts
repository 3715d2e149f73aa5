import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

// The web app's text (about 600 KB of scripts per page) shrinks to a third with brotli. Pages
// are measured on a slow mobile link, where those bytes are most of the wait.
export type Encoding = 'br' | 'gzip';

// Below this a compressed body saves less than its headers cost; above it the file is sent as it
// is rather than held in memory (the export has nothing that large).
const MIN_BYTES = 1024;
const MAX_BYTES = 16 * 1024 * 1024;

const TEXT_TYPES = /^(?:text\/|application\/(?:javascript|json|manifest\+json|xml|wasm)|image\/svg\+xml)/;

// Whether a body of this type and size is worth compressing (images and fonts already are).
export function isCompressible(contentType: string, size: number): boolean {
  return size >= MIN_BYTES && size <= MAX_BYTES && TEXT_TYPES.test(contentType);
}

// The encoding to answer an Accept-Encoding header with (RFC 9110 §12.5.3): the highest q-value
// wins, brotli on a tie; `q=0` refuses a coding; `*` stands for any coding not named.
export function chooseEncoding(acceptEncoding: string | undefined): Encoding | null {
  if (acceptEncoding === undefined) return null;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (name === '') continue;
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name, Number.isFinite(weight) ? Math.min(1, Math.max(0, weight)) : 0);
  }
  const weightOf = (coding: Encoding) => weights.get(coding) ?? weights.get('*') ?? 0;
  const br = weightOf('br');
  const gz = weightOf('gzip');
  if (br === 0 && gz === 0) return null;
  return br >= gz ? 'br' : 'gzip';
}

// Quality 6: within 10% of brotli's best on these scripts at a fiftieth of its time, so the
// first request for a file is not held up (the result is kept, see CompressedBodies).
const BROTLI_QUALITY = 6;
const compressBrotli = promisify(brotliCompress);
const compressGzip = promisify(gzip);

export function compress(bytes: Uint8Array, encoding: Encoding): Promise<Buffer> {
  if (encoding === 'gzip') return compressGzip(bytes, { level: 6 });
  return compressBrotli(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength },
  });
}

// Compressed bodies by file version (path, ETag) and encoding, so each file is compressed once
// per build; least recently used go first once they hold more than `maxBytes`.
export class CompressedBodies {
  private readonly done = new Map<string, Buffer>();
  private readonly pending = new Map<string, Promise<Buffer>>();
  private held = 0;

  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  static key(path: string, etag: string, encoding: Encoding): string {
    return `${encoding}\n${etag}\n${path}`;
  }

  // The body if it is ready, without reading the file.
  cached(key: string): Buffer | undefined {
    const body = this.done.get(key);
    if (body !== undefined) {
      this.done.delete(key);
      this.done.set(key, body);
    }
    return body;
  }

  // Compresses once even when several requests for the same file arrive together.
  async get(key: string, bytes: Uint8Array, encoding: Encoding): Promise<Buffer> {
    const ready = this.cached(key);
    if (ready !== undefined) return ready;
    let job = this.pending.get(key);
    if (job === undefined) {
      job = compress(bytes, encoding).finally(() => this.pending.delete(key));
      this.pending.set(key, job);
      const body = await job;
      this.keep(key, body);
      return body;
    }
    return job;
  }

  private keep(key: string, body: Buffer): void {
    if (body.byteLength > this.maxBytes || this.done.has(key)) return;
    this.done.set(key, body);
    this.held += body.byteLength;
    for (const [oldest, old] of this.done) {
      if (this.held <= this.maxBytes) break;
      this.done.delete(oldest);
      this.held -= old.byteLength;
    }
  }
}
