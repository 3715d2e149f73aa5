import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { z as realZod } from 'zod';
import { HELPER_BUNDLE_OPTIONS } from '../bundle-options.mjs';
import { REPO_ROOT } from '../test/support/test-guest';

type Zod = typeof realZod;

// zod as the helper's bundle carries it (lazy-zod-methods.mjs makes its bound methods on first
// use): every case must give what zod itself gives.
describe('zod in the helper bundle', () => {
  let dir: string;
  let bundled: Zod;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-bundled-zod-'));
    const outfile = path.join(dir, 'zod.cjs');
    await build({
      ...HELPER_BUNDLE_OPTIONS,
      stdin: { contents: "export { z } from 'zod';", resolveDir: path.join(REPO_ROOT, 'helper'), loader: 'js' },
      outfile,
    });
    bundled = (createRequire(import.meta.url)(outfile) as { z: Zod }).z;
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const cases: Array<[string, (z: Zod) => unknown]> = [
    ['parse', (z) => z.string().parse('a')],
    ['detached parse', (z) => (0, z.string().parse)('a')],
    ['detached parse of bad input', (z) => attempt(() => (0, z.string().parse)(1))],
    ['detached safeParse', (z) => (0, z.number().safeParse)('x').success],
    ['detached spa (safeParseAsync)', (z) => (0, z.number().spa)(2)],
    ['detached parseAsync', (z) => (0, z.number().parseAsync)(3)],
    ['detached optional', (z) => (0, z.string().optional)().parse(undefined)],
    ['detached array, then parse', (z) => (0, z.number().array)().parse([1, 2])],
    ['detached refine', (z) => (0, z.number().refine)((n) => n > 0, 'positive').safeParse(-1).error?.issues[0]?.message],
    ['detached transform', (z) => (0, z.string().transform)((s) => s.length).parse('abc')],
    ['detached or', (z) => (0, z.string().or)(z.number()).parse(4)],
    ['detached default', (z) => (0, z.string().default)('d').parse(undefined)],
    ['detached isOptional', (z) => [(0, z.string().isOptional)(), (0, z.string().optional().isOptional)()]],
    ['a method read twice is one function', (z) => { const s = z.string(); return s.parse === s.parse; }],
    ['a method can be replaced', (z) => { const s = z.string(); const f = () => 'mine'; s.parse = f as never; return s.parse === f; }],
    ['~standard validates', (z) => z.number()['~standard'].validate('x')],
    ['nested schemas', (z) => z.object({ a: z.array(z.object({ b: z.enum(['x', 'y']).optional() })) }).strict().safeParse({ a: [{ b: 'z' }] }).error?.issues],
    ['a prototype gives the unbound method', (z) => typeof Object.getPrototypeOf(z.string()).parse],
  ];
  for (const [name, run] of cases) {
    test(name, async () => assert.deepEqual(await settle(() => run(bundled)), await settle(() => run(realZod))));
  }

  test("a new schema holds no bound methods until one is used (zod's own holds 24)", () => {
    const bound = (s: object) => Object.keys(s).filter((k) => typeof (s as Record<string, unknown>)[k] === 'function');
    assert.equal(bound(realZod.string()).length, 24);
    const s = bundled.string();
    assert.deepEqual(bound(s), []);
    void s.safeParse;
    assert.deepEqual(bound(s), ['safeParse']);
  });

  test('reading a method through a prototype leaves the prototype as it was', () => {
    const proto = Object.getPrototypeOf(bundled.string()) as object;
    void (proto as { parse: unknown }).parse;
    assert.equal(Object.getOwnPropertyDescriptor(proto, 'parse'), undefined);
    assert.equal(bundled.string().parse('still'), 'still');
  });
});

function attempt(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    return { threw: (e as Error).name, issues: (e as { issues?: unknown }).issues };
  }
}

// Promises compared by what they resolve to.
async function settle(f: () => unknown): Promise<unknown> {
  return await f();
}
