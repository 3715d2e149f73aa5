import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comboLabel, comboStrokes, KEY_COMBOS, KEYS, spiceScancode } from '../src/components/console/guest-keys';
import { ReleaseKeyTracker } from '../src/components/console/release-key';
import { consoleSocketUrl } from '../src/helper-client/helper-address';

// The console's pure parts: what the key-combo menu sends, the release key, the socket URL.

test('SPICE key codes: plain keys set bit 7 on release, E0 keys carry the prefix first', () => {
  assert.equal(spiceScancode(KEYS.ctrl, true), 0x1d);
  assert.equal(spiceScancode(KEYS.ctrl, false), 0x9d);
  assert.equal(spiceScancode(KEYS.del, true), 0x53e0);
  assert.equal(spiceScancode(KEYS.del, false), 0xd3e0);
  assert.equal(spiceScancode(KEYS.f(1), true), 0x3b);
  assert.equal(spiceScancode(KEYS.f(10), true), 0x44);
  assert.equal(spiceScancode(KEYS.f(11), true), 0x57);
  assert.equal(spiceScancode(KEYS.f(12), true), 0x58);
  assert.equal(KEYS.f(7).keysym, 0xffc4);
});

test('a combo presses its keys in order and releases them in reverse', () => {
  const cad = KEY_COMBOS[0]!;
  assert.equal(comboLabel(cad), 'Ctrl+Alt+Del');
  assert.deepEqual(
    comboStrokes(cad.keys).map((s) => `${s.down ? '↓' : '↑'}${s.key.label}`),
    ['↓Ctrl', '↓Alt', '↓Del', '↑Del', '↑Alt', '↑Ctrl'],
  );
  assert.equal(new Set(KEY_COMBOS.map((c) => c.id)).size, KEY_COMBOS.length, 'ids are unique');
  for (const n of [1, 2, 3, 4, 5, 6, 7]) assert.ok(KEY_COMBOS.some((c) => comboLabel(c) === `Ctrl+Alt+F${n}`));
});

test('Ctrl+Alt pressed and released alone releases the keyboard; with another key it is for the guest', () => {
  const t = new ReleaseKeyTracker();
  t.keydown('Control');
  t.keydown('Alt');
  assert.equal(t.keyup('Alt'), true);
  assert.equal(t.keyup('Control'), false, 'fires once');

  t.keydown('Control');
  t.keydown('Alt');
  t.keydown('Delete');
  assert.equal(t.keyup('Delete'), false);
  t.keydown('Control'); // auto-repeat while still held
  assert.equal(t.keyup('Alt'), false, 'Ctrl+Alt+Del is not the release gesture');
  assert.equal(t.keyup('Control'), false);

  t.keydown('Control');
  t.keydown('Alt');
  t.reset();
  assert.equal(t.keyup('Alt'), false, 'focus left the screen in between');

  t.keydown('Shift');
  t.keydown('Control');
  t.keydown('Alt');
  assert.equal(t.keyup('Alt'), false, 'Ctrl+Alt+Shift is not it either');
});

test('console socket URLs carry the ticket, and the channel unless it is the display', () => {
  assert.equal(consoleSocketUrl('http://127.0.0.1:47320', '/console/vm1', 'a+b/c', 'display'), 'ws://127.0.0.1:47320/console/vm1?ticket=a%2Bb%2Fc');
  assert.equal(consoleSocketUrl('https://localhost:47400', '/console/vm1', 't', 'serial'), 'wss://localhost:47400/console/vm1?ticket=t&channel=serial');
});
