import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VmState } from '@openutm/shared';
import { transition, type VmInput } from './state-machine';

const cases: Array<[VmState, VmInput, VmState, string[]]> = [
  ['stopped', { type: 'launch' }, 'starting', []],
  ['crashed', { type: 'launch' }, 'starting', []],
  ['running', { type: 'launch' }, 'running', []],
  ['starting', { type: 'event', name: 'RESUME' }, 'running', []],
  ['running', { type: 'event', name: 'STOP' }, 'paused', []],
  ['paused', { type: 'event', name: 'RESUME' }, 'running', []],
  ['starting', { type: 'event', name: 'STOP' }, 'starting', []],
  ['stopping', { type: 'event', name: 'STOP' }, 'stopping', []],
  ['running', { type: 'event', name: 'SHUTDOWN', data: { guest: true, reason: 'guest-shutdown' } }, 'stopping', ['send-quit']],
  ['stopping', { type: 'event', name: 'SHUTDOWN', data: { guest: true, reason: 'guest-shutdown' } }, 'stopping', ['send-quit']],
  ['running', { type: 'event', name: 'SHUTDOWN', data: { guest: false, reason: 'host-qmp-quit' } }, 'stopping', []],
  ['running', { type: 'event', name: 'RESET', data: { guest: true } }, 'running', []],
  ['running', { type: 'event', name: 'GUEST_PANICKED' }, 'stopping', ['record-crash', 'send-quit']],
  ['running', { type: 'stop-requested' }, 'stopping', []],
  ['stopped', { type: 'stop-requested' }, 'stopped', []],
  ['paused', { type: 'quit-requested' }, 'stopping', []],
  ['running', { type: 'monitor-closed', quitExpected: false }, 'crashed', ['record-crash']],
  ['paused', { type: 'monitor-closed', quitExpected: false }, 'crashed', ['record-crash']],
  ['running', { type: 'monitor-closed', quitExpected: true }, 'stopped', []],
  ['stopping', { type: 'monitor-closed', quitExpected: false }, 'crashed', ['record-crash']],
  ['stopped', { type: 'attached', qmpStatus: 'running' }, 'running', []],
  ['stopped', { type: 'attached', qmpStatus: 'paused' }, 'paused', []],
  ['stopped', { type: 'attached', qmpStatus: 'io-error' }, 'paused', []],
  ['stopped', { type: 'attached', qmpStatus: 'prelaunch' }, 'starting', ['send-cont']],
  ['stopped', { type: 'attached', qmpStatus: 'shutdown' }, 'stopping', ['send-quit']],
  ['stopped', { type: 'attached', qmpStatus: 'guest-panicked' }, 'stopping', ['record-crash', 'send-quit']],
  // Suspend to disk.
  ['running', { type: 'suspend-requested' }, 'suspending', []],
  ['paused', { type: 'suspend-requested' }, 'suspending', []],
  ['stopped', { type: 'suspend-requested' }, 'stopped', []],
  ['suspending', { type: 'event', name: 'STOP' }, 'suspending', []],
  ['suspending', { type: 'event', name: 'SHUTDOWN', data: { guest: false, reason: 'host-qmp-quit' } }, 'suspending', []],
  ['suspending', { type: 'monitor-closed', quitExpected: true }, 'suspended', []],
  ['suspending', { type: 'monitor-closed', quitExpected: false }, 'crashed', ['record-crash']],
  ['suspending', { type: 'quit-requested' }, 'stopping', []],
  ['suspending', { type: 'suspend-abandoned', qmpStatus: 'running' }, 'running', []],
  ['suspending', { type: 'suspend-abandoned', qmpStatus: 'paused' }, 'paused', []],
  ['running', { type: 'suspend-abandoned', qmpStatus: 'paused' }, 'running', []],
  ['stopped', { type: 'saved-state', present: true }, 'suspended', []],
  ['crashed', { type: 'saved-state', present: true }, 'suspended', []],
  ['running', { type: 'saved-state', present: true }, 'running', []],
  ['suspended', { type: 'saved-state', present: false }, 'stopped', []],
  ['stopped', { type: 'saved-state', present: false }, 'stopped', []],
  ['suspended', { type: 'launch' }, 'starting', []],
];

for (const [from, input, to, effects] of cases) {
  const label = input.type === 'event' ? `${input.name} ${JSON.stringify(input.data ?? {})}` : input.type === 'attached' ? `attached(${input.qmpStatus})` : 'qmpStatus' in input ? `${input.type}(${input.qmpStatus})` : 'present' in input ? `${input.type}(${input.present})` : input.type;
  test(`${from} + ${label} → ${to}`, () => {
    const t = transition(from, input);
    assert.equal(t.state, to);
    assert.deepEqual(t.effects.map((e) => e.type), effects);
  });
}

// Only a guest that powered itself off (its disks flushed) lets the helper kill a QEMU slow to quit.
test('the quit after a guest power-off may be cut short; the quit after a panic may not', () => {
  const quitOf = (state: VmState, input: VmInput) => transition(state, input).effects.find((e) => e.type === 'send-quit');
  assert.equal(quitOf('running', { type: 'event', name: 'SHUTDOWN', data: { guest: true, reason: 'guest-shutdown' } })?.afterPowerOff, true);
  assert.equal(quitOf('stopped', { type: 'attached', qmpStatus: 'shutdown' })?.afterPowerOff, true);
  assert.equal(quitOf('running', { type: 'event', name: 'GUEST_PANICKED' })?.afterPowerOff, undefined);
});
