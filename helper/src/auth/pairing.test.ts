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

// Regression: the limiter used to refuse before comparing, so five wrong codes a minute (from a
// VM's guest, say) made the real user's right code fail.
test('a right code works however many wrong guesses came just before it', () => {
  const { codes } = setup();
  const { code } = codes.createCode();
  for (let i = 0; i < DEFAULT_PAIRING_LIMITS.wrongGuessesPerCode - 1; i++) {
    assertCode(() => codes.redeem(wrongGuess(code), 'x', 'r'), 'UNAUTHORIZED', /wrong, used or expired/);
  }
  assert.equal(codes.redeem(code, 'Firefox', 'r').clientName, 'Firefox');
  assert.equal(codes.wrongGuesses(), DEFAULT_PAIRING_LIMITS.wrongGuessesPerCode - 1);
});

// 32^8 = 2^40 codes, at most 1000 guesses ever made against one: P(success) ≤ 1000/2^40 ≈ 9.1e-10.
test('guessing is bounded: the 1000th wrong guess cancels every live code, and its owner is told why', () => {
  const { clock, codes } = setup();
  const a = codes.createCode().code;
  clock.advance(1000);
  const b = codes.createCode().code;
  for (let i = 0; i < DEFAULT_PAIRING_LIMITS.wrongGuessesPerCode; i++) assert.throws(() => codes.redeem(wrongGuess(b), 'x', 'r'));
  assert.equal(codes.outstanding(), 0);
  for (const burned of [a, b]) assertCode(() => codes.redeem(burned, 'x', 'r'), 'RATE_LIMITED', /cancelled after 1000 wrong guesses.*openutm pair/);
  // Once it would have expired anyway it is just unknown.
  clock.advance(5 * 60_000);
  assertCode(() => codes.redeem(b, 'x', 'r'), 'UNAUTHORIZED');
  const space = CODE_ALPHABET.length ** CODE_LENGTH;
  assert.equal(space, 2 ** 40);
  const chance = DEFAULT_PAIRING_LIMITS.wrongGuessesPerCode / space;
  assert.ok(chance < 1e-9, `an attacker's chance per code is ${chance}`);
});

test('a new code has a fresh budget: guesses made before it was minted do not count against it', () => {
  const { codes } = setup();
  const old = codes.createCode().code;
  for (let i = 0; i < DEFAULT_PAIRING_LIMITS.wrongGuessesPerCode - 1; i++) assert.throws(() => codes.redeem(wrongGuess(old), 'x', 'r'));
  const fresh = codes.createCode().code;
  assert.throws(() => codes.redeem(wrongGuess(fresh), 'x', 'r'));
  assert.equal(codes.outstanding(), 1, 'the old code is burned, the fresh one is not');
  codes.redeem(fresh, 'x', 'r');
});
