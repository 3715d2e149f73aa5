import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socketPathOf } from './dbus-connection';
import { Reader, Writer, splitSignature, variant } from './dbus-marshal';

test('bus addresses: unix path, abstract (leading NUL), escapes, and alternatives', () => {
  assert.equal(socketPathOf('unix:path=/run/user/1000/bus'), '/run/user/1000/bus');
  assert.equal(socketPathOf('unix:abstract=/tmp/dbus-Xyz,guid=abc'), '\0/tmp/dbus-Xyz');
  assert.equal(socketPathOf('tcp:host=localhost,port=1;unix:path=/tmp/a%20b'), '/tmp/a b');
  assert.equal(socketPathOf('tcp:host=localhost,port=1'), null);
});

test('signatures split into complete types, and bad ones are refused', () => {
  assert.deepEqual(splitSignature('ua{sv}(ia{sv}av)as'), ['u', 'a{sv}', '(ia{sv}av)', 'as']);
  assert.throws(() => splitSignature('(ii'), /unbalanced/);
  assert.throws(() => splitSignature('z'), /unknown D-Bus type z/);
});

test('values survive a write and a read, padding and nesting included', () => {
  const sig = 'yua{sv}(ia{sv}av)xdb';
  const body = [7, 42, [['Label', variant('s', 'Ünïcødé')], ['On', variant('b', true)]], [3, [['k', variant('i', -5)]], [variant('s', 'x')]], -9n, 1.5, false];
  const w = new Writer();
  splitSignature(sig).forEach((t, i) => w.writeOne(t, body[i]!));
  assert.deepEqual(new Reader(w.toBuffer()).read(sig), body);
  // An array's length excludes the padding before its first element (spec: "Marshaling").
  const a = new Writer();
  a.writeOne('at', [1n]);
  assert.deepEqual([...a.toBuffer()], [8, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
});
