import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VmAction, canPerform, whyNot, type VmState } from './states';

test('the rule table: what each state allows', () => {
  const allowed = (s: VmState) => VmAction.options.filter((a) => canPerform(s, a));
  assert.deepEqual(allowed('stopped'), ['start', 'edit', 'editLive', 'delete', 'clone', 'rename']);
  assert.deepEqual(allowed('running'), ['pause', 'reset', 'stop', 'kill', 'editLive', 'screenshot', 'console', 'type', 'suspend', 'rename']);
  assert.deepEqual(allowed('paused'), ['resume', 'reset', 'stop', 'kill', 'editLive', 'screenshot', 'console', 'suspend', 'rename']);
  assert.deepEqual(allowed('starting'), ['kill']);
  assert.deepEqual(allowed('stopping'), ['stop', 'kill']);
  assert.deepEqual(allowed('crashed'), ['start', 'edit', 'editLive', 'delete', 'clone', 'rename']);
  assert.deepEqual(allowed('suspending'), ['kill']);
  assert.deepEqual(allowed('suspended'), ['start', 'delete', 'discardState', 'rename']);
});

test('refusals say what to do', () => {
  assert.equal(whyNot('stopped', 'start'), null);
  assert.match(whyNot('running', 'delete')!, /cannot delete a VM that is running: shut it down first/);
  assert.match(whyNot('stopped', 'pause')!, /start it first/);
  assert.match(whyNot('paused', 'type')!, /cannot type into a VM that is paused/);
  // The saved state fits only the hardware it was saved with.
  for (const action of ['edit', 'editLive', 'clone'] as const) {
    assert.equal(whyNot('suspended', action), `cannot ${action === 'clone' ? 'clone' : action === 'edit' ? 'change the settings of' : 'change'} a VM that is suspended: resume or discard the saved state first`);
  }
  assert.match(whyNot('stopped', 'discardState')!, /cannot discard the saved state of a VM that is stopped: it must be suspended/);
  assert.equal(whyNot('suspended', 'pause'), 'cannot pause a VM that is suspended: resume it first');
});
