import { z } from 'zod';

// The keyboard layout the guest OS uses, per VM: typing text as keystrokes must press the keys
// that make each character in *that* layout. The tables follow each language's Linux (xkb)
// default layout, which is also what most installers start with.
export const KeyboardLayout = z.enum(['us', 'uk', 'de', 'fr']);
export type KeyboardLayout = z.infer<typeof KeyboardLayout>;

export const KEYBOARD_LAYOUT_NAMES: Record<KeyboardLayout, string> = {
  us: 'English (US)',
  uk: 'English (UK)',
  de: 'German',
  fr: 'French (AZERTY)',
};

// A key as QEMU names it (QKeyCode in its qapi/ui.json): the physical key, named after what it
// types on a US keyboard. `less` is the extra key left of Z on ISO (European) keyboards.
export type QKeyCode = string;

// What a key gives at one level; a dead key gives nothing alone and changes the next key, so
// the character itself comes from pressing it and then the space bar.
export type KeyCell = string | { dead: string } | null;

// One physical key and what it types: alone, with Shift, with AltGr.
export type KeyRow = readonly [QKeyCode, KeyCell, KeyCell?, KeyCell?];

const dead = (char: string): KeyCell => ({ dead: char });

// The letter keys a–z that type their own letter (lower, and upper with Shift).
function letters(keys: string): KeyRow[] {
  return [...keys].map((k) => [k, k, k.toUpperCase()] as const);
}

const US: readonly KeyRow[] = [
  ['grave_accent', '`', '~'],
  ['1', '1', '!'], ['2', '2', '@'], ['3', '3', '#'], ['4', '4', '$'], ['5', '5', '%'],
  ['6', '6', '^'], ['7', '7', '&'], ['8', '8', '*'], ['9', '9', '('], ['0', '0', ')'],
  ['minus', '-', '_'], ['equal', '=', '+'],
  ['bracket_left', '[', '{'], ['bracket_right', ']', '}'], ['backslash', '\\', '|'],
  ['semicolon', ';', ':'], ['apostrophe', "'", '"'],
  ['comma', ',', '<'], ['dot', '.', '>'], ['slash', '/', '?'],
  ...letters('abcdefghijklmnopqrstuvwxyz'),
];

// gb: " and @ swap places, # and ~ sit beside Enter, \ and | left of Z.
const UK: readonly KeyRow[] = [
  ['grave_accent', '`', '¬', '¦'],
  ['1', '1', '!'], ['2', '2', '"'], ['3', '3', '£'], ['4', '4', '$', '€'], ['5', '5', '%'],
  ['6', '6', '^'], ['7', '7', '&'], ['8', '8', '*'], ['9', '9', '('], ['0', '0', ')'],
  ['minus', '-', '_'], ['equal', '=', '+'],
  ['bracket_left', '[', '{'], ['bracket_right', ']', '}'],
  ['semicolon', ';', ':'], ['apostrophe', "'", '@'], ['backslash', '#', '~'],
  ['less', '\\', '|'],
  ['comma', ',', '<'], ['dot', '.', '>'], ['slash', '/', '?'],
  ...letters('abcdefghijklmnopqrstuvwxyz'),
];

// de (QWERTZ): Y and Z swap, brackets and braces on AltGr, ^ ´ ` ~ are dead keys.
const DE: readonly KeyRow[] = [
  ['grave_accent', dead('^'), '°'],
  ['1', '1', '!', '¹'], ['2', '2', '"', '²'], ['3', '3', '§', '³'], ['4', '4', '$'], ['5', '5', '%'],
  ['6', '6', '&'], ['7', '7', '/', '{'], ['8', '8', '(', '['], ['9', '9', ')', ']'], ['0', '0', '=', '}'],
  ['minus', 'ß', '?', '\\'], ['equal', dead('´'), dead('`')],
  ['q', 'q', 'Q', '@'], ['e', 'e', 'E', '€'], ['y', 'z', 'Z'], ['z', 'y', 'Y'], ['m', 'm', 'M', 'µ'],
  ['bracket_left', 'ü', 'Ü'], ['bracket_right', '+', '*', dead('~')],
  ['semicolon', 'ö', 'Ö'], ['apostrophe', 'ä', 'Ä'], ['backslash', '#', "'"],
  ['less', '<', '>', '|'],
  ['comma', ',', ';'], ['dot', '.', ':'], ['slash', '-', '_'],
  ...letters('abcdfghijklnoprstuvwx'),
];

// fr (AZERTY): digits on Shift, A↔Q, Z↔W, M beside L; ^ ~ ` typed with AltGr need no dead key.
const FR: readonly KeyRow[] = [
  ['grave_accent', '²'],
  ['1', '&', '1'], ['2', 'é', '2', '~'], ['3', '"', '3', '#'], ['4', "'", '4', '{'], ['5', '(', '5', '['],
  ['6', '-', '6', '|'], ['7', 'è', '7', '`'], ['8', '_', '8', '\\'], ['9', 'ç', '9', '^'], ['0', 'à', '0', '@'],
  ['minus', ')', '°', ']'], ['equal', '=', '+', '}'],
  ['q', 'a', 'A', 'æ'], ['w', 'z', 'Z'], ['e', 'e', 'E', '€'],
  ['bracket_left', dead('^'), dead('¨')], ['bracket_right', '$', '£', '¤'],
  ['a', 'q', 'Q', '@'], ['semicolon', 'm', 'M', 'µ'], ['apostrophe', 'ù', '%'], ['backslash', '*', 'µ'],
  ['less', '<', '>', '|'],
  ['z', 'w', 'W'], ['m', ',', '?'], ['comma', ';', '.'], ['dot', ':', '/'], ['slash', '!', '§'],
  ...letters('bcdfghijklnoprstuvxy'),
];

export const LAYOUT_KEYS: Record<KeyboardLayout, readonly KeyRow[]> = { us: US, uk: UK, de: DE, fr: FR };
