import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlayoutClock } from './playout-clock';

const opts = { target: 0.05, maxLatency: 0.2, minLead: 0.005 };
const close = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) < 1e-9);

test('blocks play back to back after the jitter buffer; late ones restart it, early ones are dropped', () => {
  const cases: { name: string; arrivals: [now: number, duration: number][]; starts: (number | null)[]; underruns: number; dropped: number }[] = [
    { name: 'steady stream', arrivals: [[1, 0.01], [1.01, 0.01], [1.02, 0.01]], starts: [1.05, 1.06, 1.07], underruns: 0, dropped: 0 },
    { name: 'a burst queues up', arrivals: [[1, 0.01], [1, 0.01], [1, 0.01]], starts: [1.05, 1.06, 1.07], underruns: 0, dropped: 0 },
    { name: 'a gap longer than the buffer: underrun', arrivals: [[1, 0.01], [1.2, 0.01]], starts: [1.05, 1.25], underruns: 1, dropped: 0 },
    { name: 'within the lead counts as late', arrivals: [[1, 0.01], [1.057, 0.01]], starts: [1.05, 1.107], underruns: 1, dropped: 0 },
    { name: 'a backlog beyond maxLatency is dropped', arrivals: [[1, 0.1], [1, 0.1], [1, 0.1]], starts: [1.05, 1.15, null], underruns: 0, dropped: 1 },
  ];
  for (const c of cases) {
    const clock = new PlayoutClock(opts);
    const starts = c.arrivals.map(([now, d]) => clock.place(now, d));
    assert.ok(starts.every((s, i) => close(s, c.starts[i]!)), `${c.name}: ${JSON.stringify(starts)}`);
    assert.equal(clock.underruns, c.underruns, c.name);
    assert.equal(clock.dropped, c.dropped, c.name);
  }
});

test('queued() is the latency the buffer adds; reset() starts fresh without counting an underrun', () => {
  const clock = new PlayoutClock(opts);
  assert.equal(clock.queued(0), 0);
  clock.place(1, 0.01);
  assert.ok(close(clock.queued(1), 0.06));
  assert.equal(clock.queued(5), 0);
  clock.reset();
  assert.ok(close(clock.place(9, 0.01), 9.05));
  assert.equal(clock.underruns, 0);
});
