import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentPortFromChardevs, agentPortFromEvent, watchAgentPort } from './agent-port-watch';
import type { QmpEvent } from '../qmp/qmp-messages';

const ts = { seconds: 1, microseconds: 0 };

test('agentPortFromEvent reads VSERPORT_CHANGE for the SPICE agent port only', () => {
  const cases: Array<[string, Pick<QmpEvent, 'event' | 'data'>, boolean | undefined]> = [
    ['guest opened the agent port', { event: 'VSERPORT_CHANGE', data: { id: 'vdagent_port', open: true } }, true],
    ['guest closed the agent port', { event: 'VSERPORT_CHANGE', data: { id: 'vdagent_port', open: false } }, false],
    ['the guest agent port is another port', { event: 'VSERPORT_CHANGE', data: { id: 'qga_port', open: true } }, undefined],
    ['no open field', { event: 'VSERPORT_CHANGE', data: { id: 'vdagent_port' } }, undefined],
    ['open not a boolean', { event: 'VSERPORT_CHANGE', data: { id: 'vdagent_port', open: 'yes' } }, undefined],
    ['no data', { event: 'VSERPORT_CHANGE' }, undefined],
    ['another event', { event: 'RESUME', data: { id: 'vdagent_port', open: true } }, undefined],
  ];
  for (const [name, event, want] of cases) assert.equal(agentPortFromEvent(event), want, name);
});

test('agentPortFromChardevs reads frontend-open of the vdagent chardev; null without one', () => {
  const cases: Array<[string, unknown, boolean | null]> = [
    ['open', [{ label: 'serial0', filename: 'unix:x', 'frontend-open': true }, { label: 'vdagent', filename: 'vdagent', 'frontend-open': true }], true],
    ['closed', [{ label: 'vdagent', filename: 'vdagent', 'frontend-open': false }], false],
    ['old QEMU without frontend-open', [{ label: 'vdagent', filename: 'vdagent' }], false],
    ['no agent channel', [{ label: 'serial0', filename: 'unix:x', 'frontend-open': true }], null],
    ['empty', [], null],
    ['not a list', { label: 'vdagent' }, null],
    ['malformed entry', [{ filename: 'vdagent' }], null],
  ];
  for (const [name, chardevs, want] of cases) assert.equal(agentPortFromChardevs(chardevs), want, name);
});

// A monitor with just what the watch uses: events pushed by hand, query-chardev answered when told.
function fakeMonitor() {
  const listeners = new Set<(ev: QmpEvent) => void>();
  let answer: (v: unknown) => void = () => undefined;
  const query = new Promise<unknown>((resolve) => (answer = resolve));
  return {
    qmp: {
      onEvent(l: (ev: QmpEvent) => void) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      execute: <T>(command: string) => (command === 'query-chardev' ? (query as Promise<T>) : Promise.reject(new Error(command))),
    },
    emit: (data: Record<string, unknown>) => listeners.forEach((l) => l({ event: 'VSERPORT_CHANGE', data, timestamp: ts })),
    answer,
    listeners,
  };
}

test('watchAgentPort: the query gives the state, events change it, an event before the answer wins, unsubscribe stops it', async () => {
  const m = fakeMonitor();
  const seen: Array<boolean | null> = [];
  const off = watchAgentPort(m.qmp, (open) => seen.push(open));
  m.emit({ id: 'vdagent_port', open: true });
  m.answer([{ label: 'vdagent', 'frontend-open': false }]);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen, [true], 'the older query answer must not undo the event');
  m.emit({ id: 'vdagent_port', open: false });
  assert.deepEqual(seen, [true, false]);
  off();
  assert.equal(m.listeners.size, 0);
  m.emit({ id: 'vdagent_port', open: true });
  assert.deepEqual(seen, [true, false]);

  const m2 = fakeMonitor();
  const seen2: Array<boolean | null> = [];
  watchAgentPort(m2.qmp, (open) => seen2.push(open));
  m2.answer([{ label: 'vdagent', 'frontend-open': true }]);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen2, [true]);
});
