import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VmConfig, type VmSummary } from '@openutm/shared';
import { decodeLibrary, encodeLibrary, MAX_REMEMBERED_CHARS } from './library-memory';

function vm(id: string, name = id): VmSummary {
  const since = '2025-01-01T00:00:00.000Z';
  const config = VmConfig.parse({ schemaVersion: 1, id, name, createdAt: since, updatedAt: since });
  return { config, status: { id, name, state: 'stopped', since, pid: null, crash: null, lastShutdown: null } };
}

test('a remembered list comes back as it was', () => {
  for (const list of [[], [vm('aaaaaa')], [vm('aaaaaa'), vm('bbbbbb', 'Debian · “ünïcode”')]]) {
    const text = encodeLibrary(list);
    assert.notEqual(text, null);
    assert.deepEqual(decodeLibrary(text), list);
  }
});

test('anything but a valid list reads as nothing remembered', () => {
  const good = encodeLibrary([vm('aaaaaa')])!;
  const cases: Array<[string, string | null]> = [
    ['no entry', null],
    ['empty', ''],
    ['not JSON', '{"vms": ['],
    ['truncated', good.slice(0, good.length - 5)],
    ['a bare array', JSON.stringify([vm('aaaaaa')])],
    ['no vms', '{}'],
    ['a VM without status', JSON.stringify({ vms: [{ config: vm('aaaaaa').config }] })],
    ['an unknown state', JSON.stringify({ vms: [{ ...vm('aaaaaa'), status: { ...vm('aaaaaa').status, state: 'dancing' } }] })],
    ['too long', `{"vms":[],"pad":"${'x'.repeat(MAX_REMEMBERED_CHARS)}"}`],
  ];
  for (const [name, text] of cases) assert.equal(decodeLibrary(text), null, name);
});

test('a library too big to be worth parsing on load is not remembered', () => {
  const many = Array.from({ length: 400 }, (_, i) => vm(`vm${String(i).padStart(4, '0')}`));
  assert.equal(encodeLibrary(many), null);
});
