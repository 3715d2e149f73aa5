import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newVmConfig, type VmStatus } from '@openutm/shared';
import { formatList, formatShow, formatStatus } from './format-output';

const config = newVmConfig({ name: 'Debian', preset: 'linux-server' }, { id: 'abc123', now: new Date('2024-05-01T12:00:00Z') });
const base: VmStatus = { id: 'abc123', name: 'Debian', state: 'running', since: '2024-05-01T12:00:00.000Z', pid: 4242, crash: null, lastShutdown: null };
const warned: VmStatus = { ...base, warnings: ['runs emulated (TCG)', 'VNC checks only 8 characters'] };

test('start and show print each launch warning on its own line', () => {
  for (const text of [formatStatus(warned), formatShow({ config, status: warned })]) {
    assert.match(text, /^ {2}warning {4}runs emulated \(TCG\)$/m);
    assert.match(text, /^ {2}warning {4}VNC checks only 8 characters$/m);
  }
  assert.equal(formatStatus(warned).split('\n')[0], 'Debian (abc123) is running (pid 4242)');
});

test('a status without warnings (or from a helper older than the field) prints none', () => {
  for (const status of [base, { ...base, warnings: [] }]) {
    assert.equal(formatStatus(status), 'Debian (abc123) is running (pid 4242)');
    assert.doesNotMatch(formatShow({ config, status }), /warning/);
  }
});

test('show puts each disk’s real size on the host beside its virtual size, when the helper said it', () => {
  const withDisk = newVmConfig({ name: 'D', preset: 'linux-server', disks: [{ sizeMiB: 2048, format: 'qcow2' }] }, { id: 'abc123', now: new Date('2024-05-01T12:00:00Z') });
  const disk = withDisk.disks[0]!;
  const usage = { id: disk.id, file: disk.file, format: disk.format, virtualBytes: 2048 * 1024 * 1024, backingFile: null, snapshots: 0, toolsBlockedBecause: null };
  const cases: Array<[number | null | undefined, RegExp]> = [
    [1536 * 1024, /disk0: disk0\.qcow2 \(qcow2, 2048 MiB, virtio\) · 1\.5 MiB on the host$/m],
    [null, /disk0: disk0\.qcow2 \(qcow2, 2048 MiB, virtio\)$/m],
    [undefined, /disk0: disk0\.qcow2 \(qcow2, 2048 MiB, virtio\)$/m],
  ];
  for (const [actualBytes, line] of cases) {
    const text = formatShow({ config: withDisk, status: base }, actualBytes === undefined ? [] : [{ ...usage, actualBytes }]);
    assert.match(text, line);
  }
});

test('try mode: status, show and list say what the disks are doing and what to run next', () => {
  const cases: Array<{ tryMode: VmStatus['tryMode']; state: VmStatus['state']; line: RegExp | null; listState: string }> = [
    { tryMode: 'active', state: 'running', line: /^ {2}try {8}running on throwaway overlays; .*openutm try keep/m, listState: 'running (try)' },
    { tryMode: 'pending', state: 'stopped', line: /^ {2}try {8}keep or discard the changes from your try: `openutm try keep` or `openutm try discard`$/m, listState: 'stopped (try: keep or discard)' },
    { tryMode: null, state: 'stopped', line: null, listState: 'stopped' },
    { tryMode: undefined, state: 'stopped', line: null, listState: 'stopped' },
  ];
  for (const c of cases) {
    const status: VmStatus = { ...base, state: c.state, pid: null, tryMode: c.tryMode };
    for (const text of [formatStatus(status), formatShow({ config, status })]) {
      if (c.line) assert.match(text, c.line);
      else assert.doesNotMatch(text, /\btry\b/);
    }
    assert.match(formatList([{ config, status }]), new RegExp(`  ${c.listState.replace(/[()]/g, '\\$&')}  `));
  }
});
