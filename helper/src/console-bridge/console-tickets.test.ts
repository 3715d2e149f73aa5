import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsoleTickets, describeRefusal } from './console-tickets';

function clock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

test('a ticket is 256 random bits in base64url and expires after the window', () => {
  const c = clock();
  const tickets = new ConsoleTickets({ now: c.now, ttlMs: 30_000 });
  const { ticket, expiresAt } = tickets.issue('vmone1');
  assert.match(ticket, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(ticket, 'base64url').length, 32);
  assert.equal(expiresAt, new Date(c.now() + 30_000).toISOString());
  assert.notEqual(tickets.issue('vmone1').ticket, ticket, 'every ticket is new');
});

test('a ticket opens a bounded number of WebSockets, then a replay is refused', () => {
  const tickets = new ConsoleTickets({ maxOpens: 8 });
  const { ticket } = tickets.issue('vmone1');
  const sessions = new Set<string>();
  for (let i = 7; i >= 0; i--) {
    const verdict = tickets.consume('vmone1', ticket);
    assert.ok(verdict.ok);
    assert.equal(verdict.opensLeft, i);
    sessions.add(verdict.session);
  }
  assert.equal(sessions.size, 1, 'every open of one ticket belongs to one session');
  assert.ok(![...sessions][0]!.includes(ticket), 'the session name is not the ticket');
  assert.deepEqual(tickets.consume('vmone1', ticket), { ok: false, reason: 'used-up' });
  assert.deepEqual(tickets.consume('vmone1', ticket), { ok: false, reason: 'used-up' });
});

test('an expired ticket is refused, then forgotten', () => {
  const c = clock();
  const tickets = new ConsoleTickets({ now: c.now, ttlMs: 30_000 });
  const { ticket } = tickets.issue('vmone1');
  c.advance(29_999);
  assert.equal(tickets.consume('vmone1', ticket).ok, true);
  c.advance(1);
  assert.deepEqual(tickets.consume('vmone1', ticket), { ok: false, reason: 'expired' });
  c.advance(3_600_000);
  assert.deepEqual(tickets.consume('vmone1', ticket), { ok: false, reason: 'unknown' });
  assert.equal(tickets.size, 0);
});

test("another VM's ticket is refused and not used up by the attempt", () => {
  const tickets = new ConsoleTickets({ maxOpens: 1 });
  const { ticket } = tickets.issue('vmone1');
  assert.deepEqual(tickets.consume('vmtwo2', ticket), { ok: false, reason: 'other-vm' });
  assert.deepEqual({ ...tickets.consume('vmone1', ticket), session: 'x' }, { ok: true, opensLeft: 0, session: 'x', owner: null });
});

test('a display ticket does not open the serial console, nor the reverse', () => {
  const tickets = new ConsoleTickets();
  const display = tickets.issue('vmone1').ticket;
  const serial = tickets.issue('vmone1', 'serial').ticket;
  assert.deepEqual(tickets.consume('vmone1', display, 'serial'), { ok: false, reason: 'other-channel' });
  assert.deepEqual(tickets.consume('vmone1', serial, 'display'), { ok: false, reason: 'other-channel' });
  assert.equal(tickets.consume('vmone1', serial, 'serial').ok, true);
});

test('unknown, empty and tampered tickets are refused', () => {
  const tickets = new ConsoleTickets();
  const { ticket } = tickets.issue('vmone1');
  const tampered = (ticket[0] === 'A' ? 'B' : 'A') + ticket.slice(1);
  for (const t of ['', 'x', tampered, ticket + '=', ticket.toUpperCase()]) {
    assert.deepEqual(tickets.consume('vmone1', t), { ok: false, reason: 'unknown' }, t);
  }
});

test('revoking a VM kills its tickets only', () => {
  const tickets = new ConsoleTickets();
  const one = tickets.issue('vmone1').ticket;
  const two = tickets.issue('vmtwo2').ticket;
  tickets.revoke('vmone1');
  assert.deepEqual(tickets.consume('vmone1', one), { ok: false, reason: 'unknown' });
  assert.equal(tickets.consume('vmtwo2', two).ok, true);
});

test('the number of remembered tickets is bounded', () => {
  const tickets = new ConsoleTickets({ maxLive: 4 });
  const first = tickets.issue('vmone1').ticket;
  for (let i = 0; i < 10; i++) tickets.issue('vmone1');
  assert.equal(tickets.size, 4);
  assert.deepEqual(tickets.consume('vmone1', first), { ok: false, reason: 'unknown' }, 'the oldest went first');
});

test('every refusal has a sentence that says what to do', () => {
  for (const reason of ['unknown', 'expired', 'used-up', 'other-vm', 'other-channel'] as const) {
    assert.match(describeRefusal(reason), /console\.open|channel/);
  }
});

test('revoking a token kills the tickets issued to it and no others', () => {
  const tickets = new ConsoleTickets();
  const mine = tickets.issue('vmone1', 'display', 'token-a').ticket;
  const theirs = tickets.issue('vmone1', 'display', 'token-b').ticket;
  const anonymous = tickets.issue('vmone1', 'display').ticket;
  tickets.revokeOwner('token-a');
  assert.deepEqual(tickets.consume('vmone1', mine), { ok: false, reason: 'unknown' });
  assert.equal(tickets.consume('vmone1', theirs).ok, true);
  assert.equal(tickets.consume('vmone1', anonymous).ok, true);
});

test('a ticket says whom it was issued to', () => {
  const tickets = new ConsoleTickets();
  const { ticket } = tickets.issue('vmone1', 'serial', 'token-a');
  const verdict = tickets.consume('vmone1', ticket, 'serial');
  assert.ok(verdict.ok);
  assert.equal(verdict.owner, 'token-a');
});
