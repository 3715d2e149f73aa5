import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServerMessage, parseStateEvent, type QmpEvent } from './qmp-messages';

const ts = { seconds: 1, microseconds: 2 };

test('each QMP message shape parses to its tagged form', () => {
  const greeting = parseServerMessage(
    '{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "Debian"}, "capabilities": ["oob"]}}',
  );
  assert.ok(greeting.ok && greeting.message.type === 'greeting');
  assert.equal(greeting.message.greeting.QMP.version.qemu.major, 7);

  assert.deepEqual(parseServerMessage('{"return": {"running": true}, "id": 4}'), {
    ok: true,
    message: { type: 'return', id: 4, value: { running: true } },
  });
  assert.deepEqual(parseServerMessage('{"error": {"class": "GenericError", "desc": "nope"}}'), {
    ok: true,
    message: { type: 'error', id: undefined, error: { class: 'GenericError', desc: 'nope' } },
  });
  const event = parseServerMessage(`{"event": "STOP", "timestamp": ${JSON.stringify(ts)}}`);
  assert.ok(event.ok && event.message.type === 'event');
  assert.equal(event.message.event.event, 'STOP');
});

test('lines that are not QMP are classified, not thrown', () => {
  const cases: [string, 'not-json' | 'unknown-shape'][] = [
    ['hello', 'not-json'],
    ['{"return": ', 'not-json'],
    ['[1, 2]', 'unknown-shape'],
    ['null', 'unknown-shape'],
    ['{"foo": 1}', 'unknown-shape'],
    ['{"event": 5, "timestamp": {"seconds": 1, "microseconds": 2}}', 'unknown-shape'],
    ['{"event": "STOP"}', 'unknown-shape'],
    ['{"error": {"class": "GenericError"}}', 'unknown-shape'],
    ['{"QMP": {"capabilities": []}}', 'unknown-shape'],
  ];
  for (const [line, kind] of cases) {
    const result = parseServerMessage(line);
    assert.equal(result.ok, false, line);
    if (!result.ok) assert.equal(result.kind, kind, line);
  }
});

test('parseStateEvent types the state events and rejects others or bad data', () => {
  const shutdown: QmpEvent = { event: 'SHUTDOWN', data: { guest: true, reason: 'guest-shutdown' }, timestamp: ts };
  const parsed = parseStateEvent(shutdown);
  assert.ok(parsed && parsed.event === 'SHUTDOWN');
  assert.deepEqual(parsed.data, { guest: true, reason: 'guest-shutdown' });

  const tray = parseStateEvent({ event: 'DEVICE_TRAY_MOVED', data: { device: '', id: 'cd0', 'tray-open': true }, timestamp: ts });
  assert.ok(tray && tray.event === 'DEVICE_TRAY_MOVED' && tray.data['tray-open'] === true);

  assert.equal(parseStateEvent({ event: 'STOP', timestamp: ts })?.event, 'STOP');
  assert.equal(parseStateEvent({ event: 'RTC_CHANGE', data: { offset: 1 }, timestamp: ts }), null);
  assert.equal(parseStateEvent({ event: 'SHUTDOWN', data: { guest: 'yes' }, timestamp: ts }), null);
});
