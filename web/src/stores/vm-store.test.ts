import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { VmConfig, type VmStatus, type VmSummary } from '@openutm/shared';
import { vmRemoved, vmStatusReceived, vmStore, vmsListed } from './vm-store';

function vm(id: string, state: VmStatus['state'], since: string): VmSummary {
  const config = VmConfig.parse({ schemaVersion: 1, id, name: id, createdAt: since, updatedAt: since });
  return { config, status: { id, name: id, state, since, pid: null, crash: null, lastShutdown: null } };
}

beforeEach(() => vmStore.set({ vms: new Map(), loaded: false }));

test('vm.list replaces the library but keeps a status that is newer than the list', () => {
  vmsListed([vm('aaaaaa', 'stopped', '2025-01-01T00:00:00Z'), vm('bbbbbb', 'stopped', '2025-01-01T00:00:00Z')]);
  assert.equal(vmStatusReceived({ ...vm('aaaaaa', 'running', '2025-01-01T00:00:05Z').status }), true);
  vmsListed([vm('aaaaaa', 'starting', '2025-01-01T00:00:03Z')]);
  const { vms, loaded } = vmStore.get();
  assert.equal(loaded, true);
  assert.deepEqual([...vms.keys()], ['aaaaaa']);
  assert.equal(vms.get('aaaaaa')?.status.state, 'running');
});

test('an older status does not overwrite a newer one; unknown VMs ask to be fetched; removal', () => {
  vmsListed([vm('aaaaaa', 'running', '2025-01-01T00:00:05Z')]);
  const before = vmStore.get();
  vmStatusReceived(vm('aaaaaa', 'starting', '2025-01-01T00:00:01Z').status);
  assert.equal(vmStore.get(), before, 'no change, no re-render');
  assert.equal(vmStatusReceived(vm('cccccc', 'running', '2025-01-01T00:00:01Z').status), false);
  vmRemoved('aaaaaa');
  assert.equal(vmStore.get().vms.size, 0);
});
