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

test('with more queued than the tokens cover, pieces wait for a batch of tokens; what fits goes at once', () => {
  const batches: number[] = [];
  const box = new AgentOutbox((ps) => batches.push(ps.length));
  // A window of 130: batches of a quarter of it, 32.
  box.reset(130);
  box.send(new Uint8Array(2048 * 200));
  assert.deepEqual(batches, [130]);
  for (let i = 0; i < 6; i++) box.addTokens(5);
  assert.deepEqual(batches, [130], '30 tokens are less than a batch');
  box.addTokens(5);
  assert.deepEqual(batches, [130, 35]);
  // The last 35 pieces: tokens for all of them send them together, fewer than a batch too.
  box.addTokens(20);
  assert.deepEqual(batches, [130, 35]);
  box.addTokens(15);
  assert.deepEqual(batches, [130, 35, 35]);
  assert.equal(box.pending, 0);
  // A small message with tokens there goes at once.
  box.addTokens(3);
  box.send(new Uint8Array(100));
  assert.deepEqual(batches, [130, 35, 35, 1]);
});

test('a large window waits for batches of 64 pieces, one frame', () => {
  const batches: number[] = [];
  const box = new AgentOutbox((ps) => batches.push(ps.length));
  // QEMU's 10 tokens and the helper's 500.
  box.reset(510);
  box.send(new Uint8Array(2048 * 700));
  assert.deepEqual(batches, [510]);
  box.addTokens(63);
  assert.deepEqual(batches, [510]);
  box.addTokens(1);
  assert.deepEqual(batches, [510, 64]);
});

test('a small window never waits for more tokens than it has', () => {
  for (const window of [1, 2, 5, 10, 64]) {
    let inFlight = 0;
    const box = new AgentOutbox((ps) => (inFlight += ps.length));
    box.reset(window);
    box.send(new Uint8Array(2048 * 50));
    // The server takes what is in flight and gives a token back for each piece.
    for (let round = 0; round < 200 && box.pending > 0; round++) {
      const back = inFlight;
      inFlight = 0;
      box.addTokens(back);
    }
    assert.equal(box.pending, 0, `window ${window}`);
  }
});
