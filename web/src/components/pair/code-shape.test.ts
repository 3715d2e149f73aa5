import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CODE_ALPHABET, CODE_LENGTH, formatCode } from '../../../../helper/src/auth/pairing';
import { CODE_EXAMPLE, displayCode } from './code-shape';

test("the example has the shape of a real code: the helper's alphabet, shown as the helper shows it", () => {
  const symbols = CODE_EXAMPLE.replace('-', '');
  assert.equal(symbols.length, CODE_LENGTH);
  assert.ok([...symbols].every((c) => CODE_ALPHABET.includes(c)), CODE_EXAMPLE);
  assert.equal(formatCode(symbols), CODE_EXAMPLE);
});

test('a code from a link or typed loosely is shown as the terminal shows it', () => {
  assert.equal(displayCode('K7QM2XPD'), 'K7QM-2XPD');
  assert.equal(displayCode(' k7qm 2xpd '), 'K7QM-2XPD');
  assert.equal(displayCode('K7QM-2XPD'), 'K7QM-2XPD');
  assert.equal(displayCode('abc'), 'abc');
});
