import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentOutbox } from './agent-outbox';

test('pieces go out one per token, in order, the rest waits for more tokens', () => {
  const cases: Array<{ tokens: number; sizes: number[]; sentBefore: number; more: number; sentAfter: number }> = [
    { tokens: 0, sizes: [10], sentBefore: 0, more: 1, sentAfter: 1 },
    { tokens: 10, sizes: [5000, 10], sentBefore: 4, more: 0, sentAfter: 4 },
    { tokens: 2, sizes: [5000, 10], sentBefore: 2, more: 1, sentAfter: 3 },
    { tokens: 2, sizes: [5000, 10], sentBefore: 2, more: 100, sentAfter: 4 },
  ];
  for (const c of cases) {
    const sent: Uint8Array[] = [];
    const batches: number[] = [];
    const box = new AgentOutbox((ps) => {
      batches.push(ps.length);
      sent.push(...ps);
    });
    box.addTokens(c.tokens);
    for (const [i, size] of c.sizes.entries()) box.send(new Uint8Array(size).fill(i + 1));
    assert.equal(sent.length, c.sentBefore, JSON.stringify(c));
    // What one send could take went out in one batch per message sent.
    assert.ok(batches.length <= c.sizes.length, JSON.stringify(c));
    box.addTokens(c.more);
    assert.equal(sent.length, c.sentAfter, JSON.stringify(c));
    const pieces = c.sizes.reduce((n, size) => n + Math.ceil(size / 2048), 0);
    assert.equal(box.pending, pieces - c.sentAfter);
    assert.ok(sent.every((p) => p.length <= 2048));
    // Order: every piece of the first message before the second's.
    const owners = sent.map((p) => p[0]);
    assert.deepEqual(owners, [...owners].sort());
  }
});

test('whenBelow resolves once the queue drains to the mark; reset empties it', async () => {
  const box = new AgentOutbox(() => undefined);
  box.send(new Uint8Array(2048 * 5));
  let woke = false;
  const waiting = box.whenBelow(2).then(() => (woke = true));
  box.addTokens(2);
  await Promise.resolve();
  assert.equal(woke, false);
  box.addTokens(1);
  await waiting;
  assert.equal(box.pending, 2);
  box.reset(3);
  assert.equal(box.pending, 0);
  assert.equal(box.available, 3);
});
