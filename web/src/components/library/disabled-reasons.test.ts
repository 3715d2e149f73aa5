import assert from 'node:assert/strict';
import { test } from 'node:test';
import { disabledReasons } from './disabled-reasons';

const SLOTS = [
  { label: 'Start', action: 'start' },
  { label: 'Pause', action: 'pause' },
  { label: 'Restart', action: 'reset' },
  { label: 'Force stop', action: 'kill' },
  { label: 'Console', action: 'console' },
] as const;

test('a stopped VM: every action but Start is named once, with what to do', () => {
  assert.equal(disabledReasons('stopped', true, SLOTS), 'Pause, Restart, Force stop and Console: the VM is stopped — start it first.');
});

test('a running VM: only Start is out, and it says to shut down first', () => {
  assert.equal(disabledReasons('running', true, SLOTS), 'Start: the VM is running — shut it down first.');
});

test('nothing disabled: no sentence', () => {
  assert.equal(disabledReasons('running', true, SLOTS.slice(1)), null);
});

test('not connected: one sentence for all', () => {
  assert.match(disabledReasons('running', false, SLOTS) ?? '', /Not connected to the helper/);
});

test('a starting VM: the others wait until it runs', () => {
  assert.equal(disabledReasons('starting', true, SLOTS), 'Start, Pause, Restart and Console: the VM is starting — wait until it runs.');
});

test('a suspended VM: Resume (a start) is the way back, so the rest say to resume it first', () => {
  assert.equal(disabledReasons('suspended', true, SLOTS), 'Pause, Restart, Force stop and Console: the VM is suspended — resume it first.');
});
