import { METHODS } from '@openutm/shared';

// A seeded PRNG (mulberry32), so a failing fuzz run can be replayed from its seed.
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// One frame to send: text (possibly invalid UTF-8 when `text` is a Buffer) or binary.
export type FuzzFrame = { data: string | Buffer; binary: boolean };

const KEYS = ['id', 'method', 'params', 'type', 'token', 'changes', 'name', 'system', 'memoryMiB', 'media', 'force', 'timeoutMs', 'confirmName', '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '', 'é', '\u0000'];
const METHOD_NAMES = [...Object.keys(METHODS), 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'vm.', '', 'VM.LIST', 'vm.list ', 'x'.repeat(64), 'x'.repeat(65)];
// Methods that change something: the fuzzer only ever sends them with params that cannot parse.
const MUTATING = new Set(['vm.create', 'vm.edit', 'vm.start', 'vm.stop', 'vm.pause', 'vm.resume', 'vm.reset', 'vm.kill', 'vm.delete', 'vm.clone', 'console.open']);
const mutates = (method: string) => MUTATING.has(method) || method.startsWith('auth.');
const NUMBERS = [0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, 4294967296];
const WEIRD_TEXT = ['1e999', '-1e999', 'NaN', 'Infinity', '{"id":1e999,"method":"vm.list"}', '{"id":-0,"method":"vm.list"}', '\ufeff{"id":1,"method":"vm.list"}'];

// Random messages of every kind the brief names: random bytes, random JSON, request-shaped
// messages with wrong types, huge numbers, deep nesting and prototype-pollution keys.
export function fuzzFrames(seed: number): () => FuzzFrame {
  const r = prng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const str = (max: number) => (r() < 0.1 ? pick(KEYS) : Array.from({ length: int(max) }, () => String.fromCharCode(int(r() < 0.9 ? 128 : 0xffff))).join(''));

  const value = (depth: number): unknown => {
    const k = int(depth > 4 ? 6 : 9);
    switch (k) {
      case 0: return null;
      case 1: return r() < 0.5;
      case 2: return pick(NUMBERS);
      case 3: return int(1000) - 500;
      case 4: return str(r() < 0.02 ? 50_000 : 40);
      case 5: return pick(['abcdef123', 'nosuchvm1', '../../etc', 'ABCDEF', '', 'a'.repeat(33)]);
      case 6:
      case 7: {
        const o: Record<string, unknown> = {};
        for (let i = int(6); i > 0; i--) Object.defineProperty(o, pick(KEYS), { value: value(depth + 1), enumerable: true, configurable: true, writable: true });
        return o;
      }
      default: return Array.from({ length: int(5) }, () => value(depth + 1));
    }
  };

  const deep = (n: number) => (r() < 0.5 ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n));

  const requestShaped = (): string => {
    const method = pick(METHOD_NAMES);
    const id = r() < 0.8 ? int(1_000_000) : value(3);
    let params = value(1);
    // A mutating method gets params that cannot parse (not an object, or no id/name at all).
    if (mutates(method) && typeof params === 'object' && params !== null && !Array.isArray(params)) params = [params];
    return JSON.stringify({ id, method, params });
  };

  const pollution = (): string => {
    const method = pick(['vm.get', 'vm.edit', 'vm.list', 'vm.status', 'constructor']);
    const inner = pick(['{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '{"media":{"__proto__":"/etc/passwd"}}']);
    return `{"__proto__":{"polluted":1},"id":${int(1000)},"method":"${method}","params":{"id":"nosuchvm1","changes":${inner},"__proto__":{"polluted":1}}}`;
  };

  return () => {
    const kind = int(10);
    switch (kind) {
      case 0: return { data: bytes(int(r() < 0.05 ? 100_000 : 200)), binary: true };
      // Invalid UTF-8 in a text frame: ws closes such a socket with 1007.
      case 1: return r() < 0.1 ? { data: bytes(1 + int(50)), binary: false } : { data: JSON.stringify(value(0)), binary: false };
      case 2: return { data: JSON.stringify(value(0)), binary: false };
      case 3:
      case 4:
      case 5: return { data: requestShaped(), binary: false };
      case 6: return { data: pollution(), binary: false };
      case 7: return { data: deep(1 + int(r() < 0.1 ? 200_000 : 2_000)), binary: false };
      case 8: return { data: pick(WEIRD_TEXT), binary: false };
      default: return { data: str(200), binary: false };
    }
  };
}
