import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSoundPrefs } from './sound-prefs';

test('stored sound settings: valid entries are kept, anything else is left out', () => {
  const cases: [string, string | null, Record<string, unknown>][] = [
    ['nothing stored', null, {}],
    ['not JSON', '{oops', {}],
    ['an array', '[1,2]', {}],
    ['null', 'null', {}],
    ['two VMs', '{"a":{"volume":0.5,"muted":true},"b":{"volume":1,"muted":false}}', { a: { volume: 0.5, muted: true }, b: { volume: 1, muted: false } }],
    ['one bad entry costs only itself', '{"a":{"volume":2,"muted":false},"b":{"volume":0,"muted":true},"c":"x"}', { b: { volume: 0, muted: true } }],
    ['missing field', '{"a":{"volume":0.5}}', {}],
  ];
  for (const [name, raw, want] of cases) assert.deepEqual(parseSoundPrefs(raw), want, name);
});
