import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenUtmError } from '@openutm/shared';
import { CODE_ALPHABET, CODE_LENGTH, DEFAULT_PAIRING_LIMITS, PairingCodes, formatCode } from './pairing';
import type { RandomSource } from './tokens';

// A clock the test moves by hand.
function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

// Predictable "random" bytes: 0, 1, 2, …
function countingRandom(): RandomSource {
  let next = 0;
  return (size) => Buffer.from(Array.from({ length: size }, () => next++ & 0xff));
}

function setup() {
  const clock = fakeClock();
  const codes = new PairingCodes({ now: clock.now, random: countingRandom() });
  return { clock, codes };
}

// A guess that is surely wrong: a code differs from every live one in its last symbol.
function wrongGuess(code: string): string {
  const last = code[CODE_LENGTH - 1]!;
  const other = CODE_ALPHABET[(CODE_ALPHABET.indexOf(last) + 1) % CODE_ALPHABET.length]!;
  return code.slice(0, -1) + other;
}

function assertCode(fn: () => unknown, code: string, message?: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof OpenUtmError);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('codes are 8 unambiguous symbols, shown in two groups, and expire after 5 minutes', () => {
  const { clock, codes } = setup();
  const { code, expiresAt } = codes.createCode();
  assert.equal(code.length, 8);
  assert.match(code, /^[A-HJ-NP-Z2-9]{8}$/);
  assert.equal(formatCode(code), `${code.slice(0, 4)}-${code.slice(4)}`);
  assert.equal(expiresAt, clock.now() + 5 * 60_000);
  for (const c of '01IO') assert.equal(CODE_ALPHABET.includes(c), false);
  assert.equal(new Set(CODE_ALPHABET).size, 32);
});

test('a code works once, typed in any case and with or without the dash', () => {
  const { codes } = setup();
  const { code } = codes.createCode();
  const r = codes.redeem(formatCode(code).toLowerCase(), 'Firefox', '127.0.0.1');
  assert.equal(r.clientName, 'Firefox');
  assertCode(() => codes.redeem(code, 'Firefox', '127.0.0.1'), 'UNAUTHORIZED', /openutm pair/);
});

test('an expired code is refused', () => {
  const { clock, codes } = setup();
  const { code } = codes.createCode();
  clock.advance(5 * 60_000);
  assertCode(() => codes.redeem(code, 'x', 'r'), 'UNAUTHORIZED', /wrong, used or expired/);
});

test('a code redeemed just before it expires works', () => {
  const { clock, codes } = setup();
  const { code } = codes.createCode();
  clock.advance(5 * 60_000 - 1);
  codes.redeem(code, 'x', 'r');
});

test('at most three codes are outstanding: a fourth drops the oldest', () => {
  const { codes } = setup();
  const first = codes.createCode().code;
  const rest = [codes.createCode().code, codes.createCode().code, codes.createCode().code];
  assert.equal(codes.outstanding(), 3);
  assertCode(() => codes.redeem(first, 'x', 'r'), 'UNAUTHORIZED');
  for (const c of rest) codes.redeem(c, 'x', 'r');
  assert.equal(codes.outstanding(), 0);
});

test('the sixth attempt within a minute is refused even if right, without cancelling the code', () => {
  const { clock, codes } = setup();
  const { code } = codes.createCode();
  for (let i = 0; i < 5; i++) assertCode(() => codes.redeem(wrongGuess(code), 'x', 'r'), 'UNAUTHORIZED');
  clock.advance(10_000);
  assertCode(() => codes.redeem(code, 'x', 'r'), 'RATE_LIMITED', /try again in 50 s/);
  clock.advance(50_000);
  codes.redeem(code, 'x', 'r');
});

// 32^8 = 2^40 codes; 20 guesses then every code is cancelled: P(success) ≤ 20·3/2^40 ≈ 5.5e-11.
test('brute force is cut off well before success is likely: the 21st guess fails even when right', () => {
  const { clock, codes } = setup();
  const { code } = codes.createCode();
  // 20 wrong guesses, 5 a minute (the most the minute limit allows), inside the code's 5 minutes.
  for (let i = 0; i < 20; i++) {
    if (i > 0 && i % 5 === 0) clock.advance(60_000);
    const expected = i === 19 ? 'RATE_LIMITED' : 'UNAUTHORIZED';
    assertCode(() => codes.redeem(wrongGuess(code), 'x', 'r'), expected);
  }
  assert.equal(codes.outstanding(), 0, 'the 20th failure cancels every code');
  clock.advance(61_000);
  assertCode(() => codes.redeem(code, 'x', 'r'), 'RATE_LIMITED', /run `openutm pair`/);
  // The chance the cut-off leaves an attacker, in numbers.
  const space = CODE_ALPHABET.length ** CODE_LENGTH;
  assert.equal(space, 2 ** 40);
  const chance = (DEFAULT_PAIRING_LIMITS.hourFailures * DEFAULT_PAIRING_LIMITS.maxOutstanding) / space;
  assert.ok(chance < 1e-10, `an attacker's chance is ${chance}`);
});

test('after the lock-out, `openutm pair` (a new code) starts over', () => {
  const { clock, codes } = setup();
  const { code } = codes.createCode();
  for (let i = 0; i < 20; i++) {
    if (i > 0 && i % 5 === 0) clock.advance(60_000);
    assert.throws(() => codes.redeem(wrongGuess(code), 'x', 'r'));
  }
  const fresh = codes.createCode();
  codes.redeem(fresh.code, 'x', 'r');
});

test('failures older than an hour no longer count', () => {
  const { clock, codes } = setup();
  let { code } = codes.createCode();
  for (let i = 0; i < 15; i++) {
    if (i > 0 && i % 5 === 0) clock.advance(60_000);
    assert.throws(() => codes.redeem(wrongGuess(code), 'x', 'r'));
  }
  clock.advance(60 * 60_000);
  code = codes.createCode().code;
  for (let i = 0; i < 5; i++) assert.throws(() => codes.redeem(wrongGuess(code), 'x', 'r'));
  clock.advance(60_000);
  assert.equal(codes.outstanding(), 1, '5 fresh failures do not reach the hourly limit');
  codes.redeem(code, 'x', 'r');
});
