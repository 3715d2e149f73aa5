import assert from 'node:assert/strict';
import { test } from 'node:test';
import { qemuEndpoints } from './engine-from-env';

test('OPENUTM_QEMU_ENDPOINTS takes unix or tcp, and refuses anything else with what to use', () => {
  assert.equal(qemuEndpoints({}), undefined);
  assert.equal(qemuEndpoints({ OPENUTM_QEMU_ENDPOINTS: ' tcp ' }), 'tcp');
  assert.equal(qemuEndpoints({ OPENUTM_QEMU_ENDPOINTS: 'unix' }), 'unix');
  assert.throws(() => qemuEndpoints({ OPENUTM_QEMU_ENDPOINTS: 'TCP6' }), (e: Error & { code?: string }) => e.code === 'CONFIG_INVALID' && /use unix or tcp/.test(e.message));
});
