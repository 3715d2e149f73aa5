import { OpenUtmError } from '@openutm/shared';

// QEMU splits an option's `key=value,key=value` text at single commas and reads `,,` as one
// literal comma; nothing else in a value is special once its key is written out (`=` after the
// first one, quotes, spaces, a leading `-` are all literal). So every value that can hold user
// text (paths, the VM name) goes through this one function, and every option that carries such
// a value names its key explicitly: an option's implied first key (`-name foo=bar`,
// `-vnc a=b`) would read an `=` in the text as a new key.
export function escapeOptionValue(value: string): string {
  if (value.includes('\u0000')) {
    // An argv element cannot hold NUL; refusing here gives a clear error instead of a spawn failure.
    throw new OpenUtmError('CONFIG_INVALID', `a QEMU option value cannot contain NUL: ${JSON.stringify(value)}`);
  }
  return value.replaceAll(',', ',,');
}

export type OptionValue = string | number | boolean;

// Keys and option heads (backend, device or CPU model names) are never free user text; the
// check keeps a typo or an unexpected value from silently becoming extra syntax.
const PLAIN_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const PLAIN_HEAD = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

// Builds `head,key=value,…` (head optional) with every value escaped; booleans become on/off
// and undefined entries are left out, so callers can write optional properties inline.
export function optionString(head: string | null, pairs: Record<string, OptionValue | undefined>): string {
  const parts: string[] = [];
  if (head !== null) {
    if (!PLAIN_HEAD.test(head)) throw new OpenUtmError('INTERNAL', `not a plain QEMU option head: ${JSON.stringify(head)}`);
    parts.push(head);
  }
  for (const [key, value] of Object.entries(pairs)) {
    if (value === undefined) continue;
    if (!PLAIN_KEY.test(key)) throw new OpenUtmError('INTERNAL', `not a plain QEMU option key: ${JSON.stringify(key)}`);
    const text = typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
    parts.push(`${key}=${escapeOptionValue(text)}`);
  }
  return parts.join(',');
}

// One `-flag value` pair per element; the argument list is built from these so that every
// section reads as a list of options.
export type QemuOption = readonly [flag: string, value?: string];

// Flattens sections of options into the argv QEMU receives.
export function flattenOptions(options: readonly QemuOption[]): string[] {
  return options.flatMap(([flag, value]) => (value === undefined ? [flag] : [flag, value]));
}

// -blockdev and -object also take JSON (QEMU tells the forms apart by the leading `{`). JSON
// has its own quoting, so file names need no comma doubling at all, and values keep their
// JSON types (booleans stay booleans, which -blockdev's JSON form insists on).
export function jsonOption(value: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(value);
}
