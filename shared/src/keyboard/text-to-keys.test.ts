import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyboardLayout } from './keyboard-layouts';
import { describeUntypable, planKeystrokes, untypableMessage, type KeyStroke } from './text-to-keys';

// Every printable ASCII character, space to tilde.
const PRINTABLE_ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

// A stroke as people write it: "shift+2", "altgr+q", "dead:grave_accent" for a dead key + space.
function spell(strokes: KeyStroke[]): string {
  const one = (s: KeyStroke) => `${s.altgr ? 'altgr+' : ''}${s.shift ? 'shift+' : ''}${s.key}`;
  if (strokes.length === 2 && strokes[1]!.key === 'spc') return `dead:${one(strokes[0]!)}`;
  return strokes.map(one).join(' ');
}

test('every printable ASCII character, newline and tab are typable in every layout', () => {
  for (const layout of KeyboardLayout.options) {
    const plan = planKeystrokes(`${PRINTABLE_ASCII}\n\t`, layout);
    assert.deepEqual(plan.untypable, [], `${layout} cannot type ${describeUntypable(plan.untypable)}`);
    assert.equal(plan.chars.length, PRINTABLE_ASCII.length + 2, layout);
  }
});

test('no two characters share the same keystrokes in a layout', () => {
  for (const layout of KeyboardLayout.options) {
    const seen = new Map<string, string>();
    for (const { char, strokes } of planKeystrokes(PRINTABLE_ASCII, layout).chars) {
      const spelled = spell(strokes);
      assert.equal(seen.get(spelled), undefined, `${layout}: ${JSON.stringify(char)} and ${JSON.stringify(seen.get(spelled))} both are ${spelled}`);
      seen.set(spelled, char);
    }
  }
});

// What a keyboard of each layout shows on its keys (checked against the xkb symbols files).
const CASES: Array<[KeyboardLayout, string, string]> = [
  ['us', 'a', 'a'], ['us', 'A', 'shift+a'], ['us', '@', 'shift+2'], ['us', '"', 'shift+apostrophe'],
  ['us', '\\', 'backslash'], ['us', '|', 'shift+backslash'], ['us', '~', 'shift+grave_accent'], ['us', '^', 'shift+6'],
  ['us', ' ', 'spc'], ['us', '\n', 'ret'], ['us', '\t', 'tab'], ['us', '{', 'shift+bracket_left'],
  ['uk', '"', 'shift+2'], ['uk', '@', 'shift+apostrophe'], ['uk', '#', 'backslash'], ['uk', '~', 'shift+backslash'],
  ['uk', '\\', 'less'], ['uk', '|', 'shift+less'], ['uk', '£', 'shift+3'], ['uk', '€', 'altgr+4'],
  ['de', 'z', 'y'], ['de', 'Y', 'shift+z'], ['de', '@', 'altgr+q'], ['de', '{', 'altgr+7'], ['de', ']', 'altgr+9'],
  ['de', '\\', 'altgr+minus'], ['de', '|', 'altgr+less'], ['de', '/', 'shift+7'], ['de', '-', 'slash'], ['de', '_', 'shift+slash'],
  ['de', '^', 'dead:grave_accent'], ['de', '`', 'dead:shift+equal'], ['de', '~', 'dead:altgr+bracket_right'],
  ['de', "'", 'shift+backslash'], ['de', '"', 'shift+2'], ['de', 'ß', 'minus'], ['de', 'ü', 'bracket_left'], ['de', 'Ö', 'shift+semicolon'],
  ['fr', 'a', 'q'], ['fr', 'q', 'a'], ['fr', 'w', 'z'], ['fr', 'z', 'w'], ['fr', 'm', 'semicolon'], ['fr', ',', 'm'],
  ['fr', '1', 'shift+1'], ['fr', '&', '1'], ['fr', '~', 'altgr+2'], ['fr', '^', 'altgr+9'], ['fr', '`', 'altgr+7'],
  ['fr', '@', 'altgr+0'], ['fr', '!', 'slash'], ['fr', '.', 'shift+comma'], ['fr', '/', 'shift+dot'], ['fr', '*', 'backslash'],
  ['fr', '|', 'altgr+6'], ['fr', 'é', '2'], ['fr', 'ù', 'apostrophe'], ['fr', '%', 'shift+apostrophe'],
];

test('characters land on the keys their layout has them on', () => {
  for (const [layout, char, want] of CASES) {
    const plan = planKeystrokes(char, layout);
    assert.equal(plan.chars.length, 1, `${layout} ${JSON.stringify(char)}`);
    assert.equal(spell(plan.chars[0]!.strokes), want, `${layout} ${JSON.stringify(char)}`);
  }
});

test('line ends of every kind are one Enter each', () => {
  for (const [text, enters] of [['a\r\nb', 1], ['a\rb', 1], ['a\n\nb', 2], ['a\r\n\r\nb\r', 3]] as const) {
    const plan = planKeystrokes(text, 'us');
    assert.equal(plan.chars.filter((c) => c.char === '\n').length, enters, JSON.stringify(text));
    assert.equal(plan.chars.length, 2 + enters, JSON.stringify(text));
  }
});

test('untypable characters are named by code point and counted; the rest is still planned', () => {
  const cases: Array<[KeyboardLayout, string, string]> = [
    ['us', 'café é', "U+00E9 'é' (2 times)"],
    ['us', 'bell\u0007', 'U+0007'],
    ['de', 'smile 😀!', "U+1F600 '😀'"],
    ['fr', '£ ok', ''],
    ['uk', 'ß and ä', "U+00DF 'ß', U+00E4 'ä'"],
    ['de', 'ß and ä', ''],
  ];
  for (const [layout, text, named] of cases) {
    const plan = planKeystrokes(text, layout);
    assert.equal(describeUntypable(plan.untypable), named, `${layout} ${JSON.stringify(text)}`);
    const typable = [...text].length - plan.untypable.reduce((n, u) => n + u.count, 0);
    assert.equal(plan.chars.length, typable, `${layout} ${JSON.stringify(text)}`);
  }
});

test('the message says how many, which, that nothing was typed and what to do', () => {
  const { untypable } = planKeystrokes('naïve café', 'us');
  const message = untypableMessage('English (US)', untypable);
  assert.match(message, /English \(US\) keyboard layout cannot type 2 characters/);
  assert.match(message, /U\+00EF 'ï', U\+00E9 'é'/);
  assert.match(message, /Nothing was typed/);
  assert.match(message, /layout the guest uses/);
});
