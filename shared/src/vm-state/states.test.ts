import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VmAction, canPerform, whyNot, type VmState } from './states';

test('the rule table: what each state allows', () => {
  const allowed = (s: VmState) => VmAction.options.filter((a) => canPerform(s, a));
  assert.deepEqual(allowed('stopped'), ['start', 'edit', 'editLive', 'delete', 'clone']);
  assert.deepEqual(allowed('running'), ['pause', 'reset', 'stop', 'kill', 'editLive', 'screenshot', 'console', 'type']);
  assert.deepEqual(allowed('paused'), ['resume', 'reset', 'stop', 'kill', 'editLive', 'screenshot', 'console']);
  assert.deepEqual(allowed('starting'), ['kill']);
  assert.deepEqual(allowed('stopping'), ['stop', 'kill']);
  assert.deepEqual(allowed('crashed'), ['start', 'edit', 'editLive', 'delete', 'clone']);
});

test('refusals say what to do', () => {
  assert.equal(whyNot('stopped', 'start'), null);
  assert.match(whyNot('running', 'delete')!, /cannot delete a VM that is running: shut it down first/);
  assert.match(whyNot('stopped', 'pause')!, /start it first/);
  assert.match(whyNot('paused', 'type')!, /cannot type into a VM that is paused/);
});
