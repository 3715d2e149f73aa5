import { LAYOUT_KEYS, type KeyRow, type KeyboardLayout, type QKeyCode } from './keyboard-layouts';

// One key press: the modifiers held while the key goes down and up.
export interface KeyStroke {
  key: QKeyCode;
  shift: boolean;
  altgr: boolean;
}

// One character of the text and the strokes that type it (two for a dead key: it, then space).
export interface TypedChar {
  char: string;
  strokes: KeyStroke[];
}

// A character the layout has no key for, with how often the text holds it.
export interface UntypableChar {
  char: string;
  codePoint: string;
  count: number;
}

export interface KeyPlan {
  chars: TypedChar[];
  untypable: UntypableChar[];
}

const press = (key: QKeyCode, shift = false, altgr = false): KeyStroke => ({ key, shift, altgr });
const SPACE = press('spc');

// Keys every layout has in the same place.
const COMMON: ReadonlyMap<string, KeyStroke[]> = new Map([
  [' ', [SPACE]],
  ['\n', [press('ret')]],
  ['\t', [press('tab')]],
]);

// Character → strokes for one layout. A character with several ways wins the plain one: no
// dead key before one, and the lower level (plain, Shift, AltGr) before a higher.
function strokeTable(rows: readonly KeyRow[]): Map<string, KeyStroke[]> {
  const table = new Map(COMMON);
  for (const wantDead of [false, true]) {
    for (let level = 1; level <= 3; level++) {
      for (const row of rows) {
        const cell = row[level];
        if (cell === undefined || cell === null) continue;
        const isDead = typeof cell !== 'string';
        if (isDead !== wantDead) continue;
        const char = typeof cell === 'string' ? cell : cell.dead;
        if (table.has(char)) continue;
        const stroke = press(row[0], level === 2, level === 3);
        table.set(char, isDead ? [stroke, SPACE] : [stroke]);
      }
    }
  }
  return table;
}

const TABLES = new Map<KeyboardLayout, Map<string, KeyStroke[]>>();
function tableFor(layout: KeyboardLayout): Map<string, KeyStroke[]> {
  let table = TABLES.get(layout);
  if (!table) {
    table = strokeTable(LAYOUT_KEYS[layout]);
    TABLES.set(layout, table);
  }
  return table;
}

// U+00E9, the way Unicode names a character whatever font shows it.
export function codePointName(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

// The keystrokes that type text in a layout, and what it cannot type. Line ends of any kind
// (\r\n, \r, \n) are one Enter each; characters are whole code points, so an emoji is one.
export function planKeystrokes(text: string, layout: KeyboardLayout): KeyPlan {
  const table = tableFor(layout);
  const chars: TypedChar[] = [];
  const untypable = new Map<string, UntypableChar>();
  for (const char of text.replace(/\r\n?/g, '\n')) {
    const strokes = table.get(char);
    if (strokes) {
      chars.push({ char, strokes });
      continue;
    }
    const seen = untypable.get(char);
    if (seen) seen.count++;
    else untypable.set(char, { char, codePoint: codePointName(char), count: 1 });
  }
  return { chars, untypable: [...untypable.values()] };
}

// "U+00E9 'é' (2 times), U+0007" — control characters by code point alone, as they have no glyph.
export function describeUntypable(untypable: readonly UntypableChar[]): string {
  return untypable
    .map((u) => {
      const glyph = /\p{C}/u.test(u.char) ? '' : ` '${u.char}'`;
      return `${u.codePoint}${glyph}${u.count > 1 ? ` (${u.count} times)` : ''}`;
    })
    .join(', ');
}

// What a person reads when a text holds characters the VM's layout cannot type. Nothing is
// typed then: a password or a command with a character missing is worse than none.
export function untypableMessage(layoutName: string, untypable: readonly UntypableChar[]): string {
  const n = untypable.reduce((sum, u) => sum + u.count, 0);
  return (
    `the ${layoutName} keyboard layout cannot type ${n === 1 ? '1 character' : `${n} characters`} of this text: ` +
    `${describeUntypable(untypable)}. Nothing was typed: remove them, or set the layout the guest uses in the VM's settings`
  );
}
