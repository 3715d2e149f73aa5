// Test-only: reads an option string the way QEMU's QemuOpts parser does (util/qemu-option.c,
// get_opt_name_value / get_opt_value), so tests can check that what the builder wrote means
// what it intended. Rules reproduced:
// - a segment is `name=value`; the name ends at the first '=' or ',';
// - in a value, ',,' is a literal ',' and a single ',' ends it;
// - a first segment with no '=' before its ',' is the value of the implied key, if the option
//   has one (note: `-name a=b` therefore sets key "a", not the guest name);
// - any later segment without '=' is a flag: `foo` means foo=on, `nofoo` means foo=off.

export type ParsedOption = Array<[key: string, value: string]>;

function readValue(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start;
  for (;;) {
    const comma = text.indexOf(',', i);
    if (comma === -1) return { value: value + text.slice(i), end: text.length };
    if (text[comma + 1] === ',') {
      value += text.slice(i, comma + 1);
      i = comma + 2;
      continue;
    }
    return { value: value + text.slice(i, comma), end: comma };
  }
}

export function parseQemuOpts(text: string, impliedKey?: string): ParsedOption {
  const out: ParsedOption = [];
  let pos = 0;
  let first = true;
  while (pos < text.length) {
    const rest = text.slice(pos);
    const nameLength = rest.search(/[=,]/);
    const len = nameLength === -1 ? rest.length : nameLength;
    let end: number;
    if (rest[len] !== '=') {
      if (first && impliedKey !== undefined) {
        const v = readValue(text, pos);
        out.push([impliedKey, v.value]);
        end = v.end;
      } else {
        const name = rest.slice(0, len);
        out.push(name.startsWith('no') ? [name.slice(2), 'off'] : [name, 'on']);
        end = pos + len;
      }
    } else {
      const name = rest.slice(0, len);
      const v = readValue(text, pos + len + 1);
      out.push([name, v.value]);
      end = v.end;
    }
    first = false;
    pos = text[end] === ',' ? end + 1 : end;
  }
  return out;
}

// The parsed pairs as an object, failing on a repeated key (QEMU would keep one of them, which
// hides an injected duplicate).
export function parseQemuOptsUnique(text: string, impliedKey?: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [k, v] of parseQemuOpts(text, impliedKey)) {
    if (k in result) throw new Error(`key ${k} appears twice in ${JSON.stringify(text)}`);
    result[k] = v;
  }
  return result;
}

// All values of one flag in an argument list (`-device a -device b` → ['a', 'b']).
export function valuesOf(args: readonly string[], flag: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < args.length; i++) if (args[i] === flag && i + 1 < args.length) found.push(args[i + 1]!);
  return found;
}
