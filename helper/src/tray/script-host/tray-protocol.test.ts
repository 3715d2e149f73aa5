import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newVmConfig, type VmState, type VmSummary } from '@openutm/shared';
import { trayMenu } from '../tray-menu';
import { HOSTILE_NAMES } from './testing/hostile-names';
import { LineSplitter, MAX_HOST_LINE, WINDOWS_TOOLTIP_MAX, encodeHostMessage, hostLabel, menuMessage, parseHostLine, type WireItem } from './tray-protocol';

let n = 0;
function vm(name: string, state: VmState): VmSummary {
  const id = `vm${String(++n).padStart(4, '0')}`;
  const config = newVmConfig({ name, preset: 'linux-server' }, { id, now: new Date('2024-05-01T12:00:00Z') });
  return { config, status: { id, name, state, since: '2024-05-01T12:00:00.000Z', pid: null, crash: null, lastShutdown: null } };
}

// The schema refuses control characters in names; the tray must stay safe even so (defence in
// depth), so hostile summaries are built past it.
function rawVm(name: string, state: VmState): VmSummary {
  const s = vm('placeholder', state);
  return { ...s, config: { ...s.config, name } };
}

const labelsOf = (items: WireItem[]) => items.map((i) => (i.kind === 'separator' ? '—' : i.label));

test('hostLabel: one line per label, & doubled for Windows Forms only', () => {
  const table: [string, 'win32' | 'darwin', string][] = [
    ['R&D', 'win32', 'R&&D'],
    ['R&D', 'darwin', 'R&D'],
    ['two\nlines\r\nhere', 'darwin', 'two lines here'],
    ['tab\there\u0000nul', 'win32', 'tab here nul'],
    ['sep\u2028arators\u2029', 'darwin', 'sep arators '],
    ['🖥 仮想', 'win32', '🖥 仮想'],
  ];
  for (const [text, platform, expected] of table) assert.equal(hostLabel(text, platform), expected, `${JSON.stringify(text)} on ${platform}`);
});

test('menuMessage renders the shared model per platform: same ids and order, host label rules', () => {
  const menu = trayMenu({ vms: [vm('Debian', 'running'), vm('R&D box', 'stopped')], autostart: true, url: 'http://127.0.0.1:47320/' });
  for (const platform of ['win32', 'darwin'] as const) {
    const msg = menuMessage(menu, platform);
    assert.equal(msg.type, 'menu');
    if (msg.type !== 'menu') return;
    assert.deepEqual(msg.items.map((i) => (i.kind === 'separator' ? '—' : i.id)), menu.items.map((i) => (i.kind === 'separator' ? '—' : i.id)));
    assert.equal(labelsOf(msg.items)[1], platform === 'win32' ? 'R&&D box — stopped' : 'R&D box — stopped');
    const toggle = msg.items.find((i) => i.kind === 'item' && i.id === 'autostart');
    assert.deepEqual(toggle, { kind: 'item', id: 'autostart', label: 'Start at login', enabled: true, checked: true });
    const quit = msg.items.at(-1);
    assert.deepEqual(quit, { kind: 'item', id: 'quit', label: 'Quit (1 VM keeps running)', enabled: true, checked: null });
  }
});

test('a Windows tooltip is cut under 64 characters without splitting a surrogate pair; macOS keeps it whole', () => {
  const many = Array.from({ length: 40 }, (_, i) => vm(`🖥 machine ${i}`, i === 0 ? 'crashed' : 'running'));
  const menu = trayMenu({ vms: many, autostart: false, url: 'http://127.0.0.1:47320/' });
  const win = menuMessage(menu, 'win32');
  const mac = menuMessage(menu, 'darwin');
  if (win.type !== 'menu' || mac.type !== 'menu') throw new Error('not a menu');
  assert.equal(mac.tooltip, menu.tooltip);
  assert.ok(menu.tooltip.length > 20);
  const long = menuMessage({ ...menu, tooltip: `${'🖥'.repeat(70)}` }, 'win32');
  if (long.type !== 'menu') throw new Error('not a menu');
  assert.equal(Array.from(long.tooltip).length, WINDOWS_TOOLTIP_MAX);
  assert.ok(long.tooltip.endsWith('…'));
  assert.ok(!/[\ud800-\udbff]…$/.test(long.tooltip), 'no lone high surrogate before the ellipsis');
});

test('hostile VM names travel as one ASCII line each and read back to exactly the label', () => {
  const menu = trayMenu({ vms: HOSTILE_NAMES.map((name) => rawVm(name, 'stopped')), autostart: false, url: 'http://127.0.0.1:47320/' });
  for (const platform of ['win32', 'darwin'] as const) {
    const msg = menuMessage(menu, platform);
    const line = encodeHostMessage(msg);
    assert.ok(line.endsWith('\n'));
    assert.equal(line.indexOf('\n'), line.length - 1, 'exactly one line');
    assert.ok(/^[\x20-\x7e]*\n$/.test(line), 'printable ASCII only');
    assert.deepEqual(JSON.parse(line), msg);
    if (msg.type !== 'menu') return;
    const labels = labelsOf(msg.items).filter((l) => l.endsWith(' — stopped')).map((l) => l.slice(0, -' — stopped'.length));
    const expected = [...HOSTILE_NAMES].sort().map((name) => hostLabel(name, platform));
    assert.deepEqual([...labels].sort(), [...expected].sort());
  }
});

test('parseHostLine accepts the four host messages and rejects everything else with a reason', () => {
  const ids = new Set(['open', 'pair', 'autostart', 'quit', 'vm:abc123']);
  const ok: [string, unknown][] = [
    ['{"type":"ready"}', { type: 'ready' }],
    ['{"type":"activate"}', { type: 'activate' }],
    ['{"type":"click","id":"vm:abc123"}', { type: 'click', id: 'vm:abc123' }],
    ['{"type":"error","message":"Add-Type failed"}', { type: 'error', message: 'Add-Type failed' }],
  ];
  for (const [line, message] of ok) assert.deepEqual(parseHostLine(line, ids), { ok: true, message }, line);
  const bad: [string, RegExp][] = [
    ['not json', /not JSON/],
    ['{"type":"click"}', /unexpected message \(id: Required\)/],
    ['{"type":"click","id":"rm -rf"}', /unexpected message \(id:/],
    ['{"type":"click","id":"vm:gone99"}', /"vm:gone99", which is not in the menu/],
    ['{"type":"quit-helper"}', /unexpected message/],
    ['{"type":"ready","extra":1}', /unexpected message/],
    ['[1,2]', /unexpected message/],
    ['null', /unexpected message/],
  ];
  for (const [line, reason] of bad) {
    const r = parseHostLine(line, ids);
    assert.equal(r.ok, false, line);
    if (!r.ok) assert.match(r.error, reason, line);
  }
});

test('LineSplitter joins chunks, drops blank and overlong lines with an error, and recovers after them', () => {
  const s = new LineSplitter(20);
  assert.deepEqual(s.push('{"type":'), { lines: [], errors: [] });
  assert.deepEqual(s.push('"ready"}\r\n\n{"a"'), { lines: ['{"type":"ready"}'], errors: [] });
  assert.deepEqual(s.push(':1}\n'), { lines: ['{"a":1}'], errors: [] });
  const long = s.push('x'.repeat(25));
  assert.deepEqual(long.lines, []);
  assert.match(long.errors[0]!, /longer than 20/);
  assert.deepEqual(s.push('y'.repeat(30)), { lines: [], errors: [] }, 'the same long line is reported once');
  assert.deepEqual(s.push('tail\nok\n'), { lines: ['ok'], errors: [] }, 'the rest of the long line is dropped, the next one kept');
  const inOne = s.push(`${'z'.repeat(21)}\nfine\n`);
  assert.deepEqual(inOne.lines, ['fine']);
  assert.match(inOne.errors[0]!, /21 characters/);
  assert.equal(new LineSplitter().push(`${'a'.repeat(MAX_HOST_LINE)}\n`).lines.length, 1, 'the default limit admits a line of exactly MAX_HOST_LINE');
});
