import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostFacts } from '@openutm/shared';
import { formatDoctor } from './format-doctor';

const facts: HostFacts = {
  os: 'linux',
  arch: 'x64',
  cpus: 8,
  memoryMiB: 16384,
  qemu: [
    {
      architecture: 'x86_64',
      path: '/usr/bin/qemu-system-x86_64',
      version: '7.2.22',
      spice: true,
      sandbox: true,
      vdagent: true,
      accelerators: ['tcg', 'kvm'],
      machines: ['pc', 'q35', 'none'],
    },
  ],
  qemuImg: '/usr/bin/qemu-img',
  swtpm: null,
  accelerators: ['kvm', 'tcg'],
  firmware: [
    { architecture: 'x86_64', code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd', secureBoot: false },
    { architecture: 'x86_64', code: '/usr/share/OVMF/OVMF_CODE_4M.ms.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.ms.fd', secureBoot: true },
  ],
  problems: [
    { what: 'swtpm is not installed: Windows 11 VMs need its emulated TPM', fix: 'sudo apt-get install swtpm', severity: 'warning' },
    { what: 'qemu-img is not installed', fix: 'sudo apt-get install qemu-utils', severity: 'error' },
  ],
};

test('formatDoctor shows what was found, where, and what it can do', () => {
  const text = formatDoctor(facts, { env: {} });
  const lines = text.split('\n');
  assert.equal(lines[0], 'OpenUTM doctor · linux x64 · 8 CPUs · 16.0 GiB memory');
  assert.ok(lines.includes('  x86_64    7.2.22   /usr/bin/qemu-system-x86_64'));
  assert.ok(lines.includes('            accelerators tcg, kvm · SPICE yes · VNC clipboard yes · sandbox yes · 3 machines incl. q35'));
  assert.ok(lines.includes('  aarch64   not found'));
  assert.ok(lines.includes('  qemu-img  /usr/bin/qemu-img'));
  assert.ok(lines.includes('  swtpm     not found'));
  assert.ok(lines.includes('  x86_64   Secure Boot  code /usr/share/OVMF/OVMF_CODE_4M.ms.fd'));
  assert.ok(lines.includes('                        vars /usr/share/OVMF/OVMF_VARS_4M.ms.fd'));
  assert.ok(!text.includes('Overrides'), 'no overrides section when none is set');
});

test('formatDoctor lists errors before warnings, each with its fix, aligned under the text', () => {
  const lines = formatDoctor(facts, { env: {} }).split('\n');
  const start = lines.indexOf('Problems (1 error, 1 warning)');
  assert.notEqual(start, -1);
  assert.deepEqual(lines.slice(start + 1, start + 5), [
    '  error    qemu-img is not installed',
    '           fix: sudo apt-get install qemu-utils',
    '  warning  swtpm is not installed: Windows 11 VMs need its emulated TPM',
    '           fix: sudo apt-get install swtpm',
  ]);
});

test('formatDoctor reports OPENUTM_ACCEL and OPENUTM_QEMU when set', () => {
  const text = formatDoctor(facts, { env: { OPENUTM_ACCEL: 'tcg', OPENUTM_QEMU: '/opt/qemu/bin' } });
  assert.match(text, /\nOverrides\n {2}OPENUTM_QEMU {3}\/opt\/qemu\/bin\n {2}OPENUTM_ACCEL {2}tcg\n/);
});

test('formatDoctor says so when all is well, and notes unverifiable WHPX on Windows', () => {
  const text = formatDoctor({ ...facts, os: 'win32', accelerators: ['whpx', 'tcg'], problems: [] }, { env: {} });
  assert.match(text, /No problems found\.$/);
  assert.match(text, /whpx is listed by QEMU but needs the Windows Hypervisor Platform/);
});

test("formatDoctor shows swtpm's version beside its path", () => {
  const lines = formatDoctor({ ...facts, swtpm: '/usr/bin/swtpm', swtpmVersion: '0.7.1' }, { env: {} }).split('\n');
  assert.ok(lines.includes('  swtpm     0.7.1  /usr/bin/swtpm'));
  const unknown = formatDoctor({ ...facts, swtpm: '/usr/bin/swtpm', swtpmVersion: null }, { env: {} }).split('\n');
  assert.ok(unknown.includes('  swtpm     /usr/bin/swtpm'));
});
