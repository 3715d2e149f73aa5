import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QemuBinary } from '@openutm/shared';
import { hostProblems, type ProblemInput } from './host-problems';
import { parseOsRelease } from './install-hints';

const debian = parseOsRelease('ID=debian\n');

const x86: QemuBinary = {
  architecture: 'x86_64',
  path: '/usr/bin/qemu-system-x86_64',
  version: '7.2.22',
  spice: true,
  sandbox: true,
  accelerators: ['tcg', 'kvm'],
  machines: ['q35', 'pc'],
};

// A Debian host where everything is in place.
const healthy: ProblemInput = {
  os: 'linux',
  native: 'x86_64',
  release: debian,
  qemu: [x86],
  broken: [],
  qemuImg: '/usr/bin/qemu-img',
  swtpm: '/usr/bin/swtpm',
  firmware: [
    { architecture: 'x86_64', code: '/c', vars: '/v', secureBoot: false },
    { architecture: 'x86_64', code: '/sc', vars: '/sv', secureBoot: true },
  ],
  accelerators: ['kvm', 'tcg'],
  hardware: { accelerator: 'kvm', state: 'usable' },
};

test('a healthy host has no problems', () => {
  assert.deepEqual(hostProblems(healthy), []);
});

const cases: Array<[string, Partial<ProblemInput>, { severity: 'error' | 'warning'; what: RegExp; fix: RegExp }]> = [
  ['no QEMU at all', { qemu: [] }, { severity: 'error', what: /QEMU is not installed/, fix: /^sudo apt-get install qemu-system-x86 qemu-utils ovmf$/ }],
  [
    'OPENUTM_QEMU pointing nowhere',
    { qemu: [], qemuOverride: '/opt/empty' },
    { severity: 'error', what: /OPENUTM_QEMU=\/opt\/empty/, fix: /apt-get install .*unset OPENUTM_QEMU/ },
  ],
  ['no qemu-img', { qemuImg: null }, { severity: 'error', what: /qemu-img/, fix: /^sudo apt-get install qemu-utils$/ }],
  ['no OVMF', { firmware: [] }, { severity: 'warning', what: /no UEFI firmware for x86_64 \(OVMF\)/, fix: /^sudo apt-get install ovmf$/ }],
  [
    'no Secure Boot pair',
    { firmware: [{ architecture: 'x86_64', code: '/c', vars: '/v', secureBoot: false }] },
    { severity: 'warning', what: /Secure Boot/, fix: /ovmf/ },
  ],
  ['no /dev/kvm', { accelerators: ['tcg'], hardware: { accelerator: 'kvm', state: 'no-device' } }, { severity: 'warning', what: /\/dev\/kvm does not exist/, fix: /modprobe kvm_intel/ }],
  [
    '/dev/kvm not accessible',
    { accelerators: ['tcg'], hardware: { accelerator: 'kvm', state: 'no-access' } },
    { severity: 'warning', what: /may not open \/dev\/kvm/, fix: /^sudo usermod -aG kvm \$USER/ },
  ],
  [
    'KVM present but failing its probe (nested virtualization)',
    {
      accelerators: ['tcg'],
      hardware: { accelerator: 'kvm', state: 'probe-failed' },
      probe: { accelerator: 'kvm', cpuModel: 'host', ok: false, reason: 'QEMU was killed by SIGABRT: failed to set MSR 0x10a to 0x69', cached: false },
    },
    { severity: 'warning', what: /^KVM cannot run guests here: the probe guest failed with CPU model host \(QEMU was killed by SIGABRT: failed to set MSR 0x10a to 0x69\), so VMs run emulated/, fix: /nested virtualization/ },
  ],
  [
    'WHPX failing its probe',
    { os: 'win32', accelerators: ['tcg'], hardware: { accelerator: 'whpx', state: 'probe-failed' }, probe: { accelerator: 'whpx', cpuModel: 'max', ok: false, reason: 'the probe guest did not report within 2 s', cached: false } },
    { severity: 'warning', what: /^WHPX cannot run guests here: .*did not report within 2 s/, fix: /Windows Hypervisor Platform/ },
  ],
  ['a KVM device path set for diagnosis', { accelerators: ['tcg'], hardware: { accelerator: 'kvm', state: 'no-device' }, kvmDevicePath: '/nonexistent/kvm' }, { severity: 'warning', what: /^KVM is not available: \/nonexistent\/kvm does not exist/, fix: /modprobe/ }],
  ['no swtpm', { swtpm: null }, { severity: 'warning', what: /Windows 11/, fix: /^sudo apt-get install swtpm$/ }],
  ['no SPICE', { qemu: [{ ...x86, spice: false }] }, { severity: 'warning', what: /falls back to VNC/, fix: /qemu-system-modules-spice/ }],
  ['no seccomp sandbox on Linux', { qemu: [{ ...x86, sandbox: false }] }, { severity: 'warning', what: /-sandbox/, fix: /apt-get install qemu-system-x86/ }],
  [
    'a binary that does not run',
    { broken: [{ path: '/usr/local/bin/qemu-system-aarch64', architecture: 'aarch64', reason: 'no answer within 5000 ms' }] },
    { severity: 'warning', what: /does not run: no answer/, fix: /qemu-system-arm/ },
  ],
  ['only a foreign-architecture QEMU', { qemu: [{ ...x86, architecture: 'aarch64', path: '/usr/bin/qemu-system-aarch64' }], firmware: [{ architecture: 'aarch64', code: '/a', vars: '/b', secureBoot: false }] }, { severity: 'warning', what: /no qemu-system-x86_64/, fix: /qemu-system-x86 ovmf/ }],
  ['OPENUTM_ACCEL misspelt', { accelOverride: 'kvmm' }, { severity: 'error', what: /OPENUTM_ACCEL=kvmm is not an accelerator/, fix: /auto, kvm, hvf, whpx, tcg/ }],
  [
    'OPENUTM_ACCEL forcing an unusable accelerator',
    { accelOverride: 'kvm', accelerators: ['tcg'], hardware: { accelerator: 'kvm', state: 'no-device' } },
    { severity: 'warning', what: /OPENUTM_ACCEL=kvm forces/, fix: /unset OPENUTM_ACCEL/ },
  ],
];

for (const [name, change, expected] of cases) {
  test(`hostProblems — ${name}`, () => {
    const problems = hostProblems({ ...healthy, ...change });
    const hit = problems.find((p) => expected.what.test(p.what));
    assert.ok(hit, `expected a problem matching ${expected.what}, got ${JSON.stringify(problems)}`);
    assert.equal(hit.severity, expected.severity);
    assert.match(hit.fix, expected.fix);
  });
}

test('OPENUTM_ACCEL=tcg or auto is never a problem', () => {
  assert.deepEqual(hostProblems({ ...healthy, accelOverride: 'tcg' }), []);
  assert.deepEqual(hostProblems({ ...healthy, accelOverride: 'auto' }), []);
});

test('macOS: Homebrew QEMU without SPICE or seccomp gets one SPICE note and no sandbox nagging', () => {
  const problems = hostProblems({
    ...healthy,
    os: 'darwin',
    native: 'aarch64',
    release: null,
    qemu: [{ ...x86, architecture: 'aarch64', path: '/opt/homebrew/bin/qemu-system-aarch64', spice: false, sandbox: false, accelerators: ['tcg', 'hvf'] }],
    firmware: [{ architecture: 'aarch64', code: '/a', vars: '/b', secureBoot: false }],
    accelerators: ['tcg'],
    hardware: { accelerator: 'hvf', state: 'host-unsupported' },
  });
  assert.deepEqual(
    problems.map((p) => p.what.split(':')[0]),
    ['Hypervisor.framework is not available (kern.hv_support is not 1), so VMs run emulated (TCG), many times slower', '/opt/homebrew/bin/qemu-system-aarch64 has no SPICE'],
  );
  assert.match(problems[1]!.fix, /Homebrew's QEMU is built without SPICE/);
});

test('Windows: no QEMU is fixed with winget', () => {
  const problems = hostProblems({ ...healthy, os: 'win32', release: null, qemu: [], hardware: { accelerator: 'whpx', state: 'no-binary' } });
  assert.equal(problems[0]!.fix, 'winget install --exact --id SoftwareFreedomConservancy.QEMU');
});
