import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostDirEntry } from '@openutm/shared';
import { chooserEntries, isDiscImage } from './chooser-entries';

const file = (name: string): HostDirEntry => ({ name, kind: 'file', size: 1, hidden: false, link: null });
const folder = (name: string): HostDirEntry => ({ name, kind: 'directory', size: null, hidden: false, link: null });
const linkTo = (name: string, targetKind: 'file' | 'directory'): HostDirEntry => ({ name, kind: 'symlink', size: null, hidden: false, link: { target: '/x', targetKind } });

test('the chooser lists disc images first, then folders; other files only with "Show all files"', () => {
  const entries = [folder('Music'), linkTo('iso-folder.iso', 'directory'), file('debian.ISO'), file('notes.txt'), linkTo('latest.iso', 'file'), file('raw.img')];
  assert.deepEqual(chooserEntries(entries, false).map((e) => e.name), ['debian.ISO', 'latest.iso', 'raw.img', 'Music', 'iso-folder.iso']);
  assert.deepEqual(chooserEntries(entries, true).map((e) => e.name), ['debian.ISO', 'latest.iso', 'raw.img', 'Music', 'iso-folder.iso', 'notes.txt']);
  assert.deepEqual([isDiscImage('a.cdr'), isDiscImage('a.iso.txt'), isDiscImage('iso')], [true, false, false]);
});
