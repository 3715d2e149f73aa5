import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeFromFragment } from './link-code';

test('the code comes from the fragment a pairing link carries', () => {
  assert.equal(codeFromFragment('#code=K7QM2XPD'), 'K7QM2XPD');
  assert.equal(codeFromFragment('#code=K7QM-2XPD&x=1'), 'K7QM-2XPD');
  assert.equal(codeFromFragment(''), null);
  assert.equal(codeFromFragment('#code='), null);
  assert.equal(codeFromFragment('#other=1'), null);
});
