import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostPlaces } from './host-places';

const existing = (...paths: string[]) => (p: string) => paths.includes(p);

test('places: home, Downloads and removable media where they exist', () => {
  assert.deepEqual(
    hostPlaces('/home/ann', 'ann', existing('/home/ann', '/home/ann/Downloads', '/media/ann', '/media'), 'linux').map((p) => p.path),
    ['/home/ann', '/home/ann/Downloads', '/media/ann'],
  );
  assert.deepEqual(hostPlaces('/root', 'root', existing('/root', '/mnt'), 'linux').map((p) => [p.kind, p.path]), [
    ['home', '/root'],
    ['removable', '/mnt'],
  ]);
  assert.deepEqual(hostPlaces('/Users/ann', 'ann', existing('/Users/ann', '/Users/ann/Downloads', '/Volumes'), 'darwin').map((p) => p.name), ['Home', 'Downloads', 'Removable media']);
  assert.deepEqual(hostPlaces('C:\\Users\\ann', 'ann', existing('C:\\Users\\ann', 'C:\\Users\\ann\\Downloads'), 'win32').map((p) => p.path), ['C:\\Users\\ann', 'C:\\Users\\ann\\Downloads']);
});
