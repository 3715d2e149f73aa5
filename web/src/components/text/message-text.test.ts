import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitCode } from './message-text';

test('backticked commands become code parts, without the backticks', () => {
  assert.deepEqual(splitCode('that code is used — run `openutm pair` for a new one'), [
    { text: 'that code is used — run ', code: false },
    { text: 'openutm pair', code: true },
    { text: ' for a new one', code: false },
  ]);
});

test('text without backticks, and an unmatched one, stay as they are', () => {
  assert.deepEqual(splitCode('no code here'), [{ text: 'no code here', code: false }]);
  assert.deepEqual(splitCode('a ` alone'), [{ text: 'a ` alone', code: false }]);
});
