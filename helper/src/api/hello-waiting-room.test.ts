import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HelloWaitingRoom } from './hello-waiting-room';

test('a full room evicts the connection that waited longest, never the newcomer', () => {
  const room = new HelloWaitingRoom(2);
  const evicted: string[] = [];
  const leaveA = room.enter(() => evicted.push('a'));
  room.enter(() => evicted.push('b'));
  room.enter(() => evicted.push('c'));
  assert.deepEqual(evicted, ['a']);
  assert.equal(room.size, 2);
  // Leaving twice (evicted, then closed) frees nothing more.
  leaveA();
  assert.equal(room.size, 2);
  room.enter(() => evicted.push('d'));
  assert.deepEqual(evicted, ['a', 'b']);
});

test('a connection that said hello leaves, and its place is free without an eviction', () => {
  const room = new HelloWaitingRoom(1);
  const evicted: string[] = [];
  const leave = room.enter(() => evicted.push('a'));
  leave();
  room.enter(() => evicted.push('b'));
  assert.deepEqual(evicted, []);
});
