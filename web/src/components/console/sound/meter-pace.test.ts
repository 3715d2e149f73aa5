import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paceMeter, POLL_MS, QUIET_FRAMES, type MeterClock } from './meter-pace';

// A clock the test steps by hand: what is waiting, a frame or a timer, and runs it.
class StepClock implements MeterClock {
  pending: { kind: 'frame' | 'timer'; ms?: number; run: () => void; id: number } | null = null;
  private nextId = 1;
  frame(run: () => void): number {
    return this.set({ kind: 'frame', run, id: this.nextId++ });
  }
  after(ms: number, run: () => void): number {
    return this.set({ kind: 'timer', ms, run, id: this.nextId++ });
  }
  cancelFrame(id: number): void {
    if (this.pending?.id === id) this.pending = null;
  }
  cancelAfter(id: number): void {
    if (this.pending?.id === id) this.pending = null;
  }
  // What waits, read through a call (an assertion on the field would narrow it for good).
  waiting(): { kind: 'frame' | 'timer'; ms?: number } | null {
    return this.pending;
  }
  step(): 'frame' | 'timer' {
    const p = this.pending;
    assert.ok(p, 'the meter has nothing scheduled');
    this.pending = null;
    p.run();
    return p.kind;
  }
  private set(p: NonNullable<StepClock['pending']>): number {
    assert.equal(this.pending, null, 'the meter scheduled twice');
    this.pending = p;
    return p.id;
  }
}

test('the meter draws every frame while it moves, polls once it stood still, and takes frames again when it moves', () => {
  const clock = new StepClock();
  let moving = true;
  let draws = 0;
  const stop = paceMeter(() => {
    draws++;
    return moving;
  }, clock);
  for (let i = 0; i < 100; i++) assert.equal(clock.step(), 'frame');
  moving = false;
  const kinds = Array.from({ length: QUIET_FRAMES + 5 }, () => clock.step());
  assert.deepEqual(kinds.slice(0, QUIET_FRAMES), Array(QUIET_FRAMES).fill('frame'));
  assert.deepEqual(kinds.slice(QUIET_FRAMES), Array(5).fill('timer'));
  assert.equal(clock.waiting()?.kind, 'timer');
  assert.equal(clock.waiting()?.ms, POLL_MS);
  moving = true;
  assert.equal(clock.step(), 'timer');
  assert.equal(clock.waiting()?.kind, 'frame', 'a change takes the meter back to frames');
  assert.equal(draws, 100 + QUIET_FRAMES + 6);
  stop();
});

test('stopping the meter cancels what it had scheduled, frame or timer', () => {
  const clock = new StepClock();
  const stopA = paceMeter(() => true, clock);
  assert.equal(clock.waiting()?.kind, 'frame');
  stopA();
  assert.equal(clock.waiting(), null);
  const stopB = paceMeter(() => false, clock);
  for (let i = 0; i < QUIET_FRAMES; i++) clock.step();
  assert.equal(clock.waiting()?.kind, 'timer');
  stopB();
  assert.equal(clock.waiting(), null);
});
