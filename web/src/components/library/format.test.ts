import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VmStatus } from '@openutm/shared';
import { describeStatus } from './format';

const NOW = Date.parse('2025-05-03T12:00:00Z');
const status = (state: VmStatus['state'], extra: Partial<VmStatus> = {}): VmStatus => ({
  id: 'abc123',
  name: 'x',
  state,
  since: new Date(NOW - 60_000).toISOString(),
  pid: null,
  crash: null,
  lastShutdown: null,
  ...extra,
});

const cases: Array<[VmStatus, RegExp]> = [
  [status('stopped'), /^Not running$/],
  [status('stopped', { lastShutdown: 'host-qmp-quit' }), /^Stopped since .+: forced off$/],
  [status('running'), /^Running since /],
  [status('suspending'), /^Saving its state to disk…$/],
  [status('suspended'), /^Suspended since .+: Resume continues where it left off$/],
  [status('crashed', { crash: { at: new Date(NOW).toISOString(), exitCode: 1, signal: null, reason: 'boom', logTail: [] } }), /^Crashed since .+: boom$/],
];

for (const [s, expected] of cases) {
  test(`describeStatus: ${s.state}${s.lastShutdown ? ` (${s.lastShutdown})` : ''}`, () => {
    assert.match(describeStatus(s, NOW), expected);
  });
}
