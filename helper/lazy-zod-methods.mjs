// An esbuild plugin for the helper's bundle: zod 3's schema constructor binds 24 methods and
// makes a `~standard` object on every schema instance, so that `schema.parse` works detached.
// The shared and helper schemas make ~1,100 instances at start-up: ~1.1 MiB of bound functions
// and their property stores, all allocated in the young generation at once (which it grows
// to hold). Here each bound method is made on first use instead, by a getter on the prototype
// that stores it on the instance: detached use and reassignment behave as before, and schemas
// that never parse anything cost nothing. The build fails if zod's constructor ever changes.
import { readFile } from 'node:fs/promises';

const BOUND = [
  'parse', 'safeParse', 'parseAsync', 'safeParseAsync', 'spa', 'refine', 'refinement', 'superRefine',
  'optional', 'nullable', 'nullish', 'array', 'promise', 'or', 'and', 'transform', 'brand', 'default',
  'catch', 'describe', 'pipe', 'readonly', 'isNullable', 'isOptional',
];

const CONSTRUCTOR = new RegExp(
  String.raw`constructor\(def\) \{\s*/\*\* Alias of safeParseAsync \*/\s*this\.spa = this\.safeParseAsync;\s*this\._def = def;\s*` +
    BOUND.map((m) => String.raw`this\.${m} = this\.${m}\.bind\(this\);\s*`).join('') +
    String.raw`this\["~standard"\] = \{\s*version: 1,\s*vendor: "zod",\s*validate: \(data\) => this\["~validate"\]\(data\),\s*\};\s*\}`,
);

// Appended to zod's types.js, where ZodType is in scope.
const LAZY = `
{
  const own = (self, name, value) => {
    Object.defineProperty(self, name, { value, writable: true, enumerable: true, configurable: true });
    return value;
  };
  const lazy = (name, make) => {
    Object.defineProperty(ZodType.prototype, name, {
      configurable: true,
      // A prototype (ZodType's or a subclass's) owns its constructor; an instance does not.
      get() { return Object.hasOwn(this, 'constructor') ? make.unbound : own(this, name, make(this)); },
      set(value) { own(this, name, value); },
    });
  };
  for (const name of ${JSON.stringify(BOUND)}) {
    const method = name === 'spa' ? ZodType.prototype.safeParseAsync : ZodType.prototype[name];
    const make = (self) => method.bind(self);
    make.unbound = method;
    lazy(name, make);
  }
  const standard = (self) => ({ version: 1, vendor: "zod", validate: (data) => self["~validate"](data) });
  standard.unbound = undefined;
  lazy("~standard", standard);
}
`;

export function lazyZodMethods() {
  return {
    name: 'lazy-zod-methods',
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v3[\\/]types\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!CONSTRUCTOR.test(source)) {
          return { errors: [{ text: `zod's ZodType constructor is not the one lazy-zod-methods.mjs rewrites (${args.path}); update the plugin for this zod version` }] };
        }
        return { contents: source.replace(CONSTRUCTOR, 'constructor(def) {\n        this._def = def;\n    }') + LAZY, loader: 'js' };
      });
    },
  };
}
