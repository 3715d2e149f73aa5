import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VmCreateRequest, type HostFacts } from '@openutm/shared';
import { draftErrors, hostWarnings, stepErrors, stepOfField } from './wizard-checks';
import { defaultMemoryMiB, draftToRequest, nameFromIso, presetDraft, type WizardDraft } from './wizard-draft';

// A Linux x64 host as host.doctor describes it; each case changes what it needs.
function host(change: Partial<HostFacts> = {}): HostFacts {
  return {
    os: 'linux',
    arch: 'x64',
    cpus: 8,
    memoryMiB: 16384,
    qemu: [{ architecture: 'x86_64', path: '/usr/bin/qemu-system-x86_64', version: '8.2.2', spice: true, sandbox: true, accelerators: ['kvm', 'tcg'], machines: ['q35', 'pc'] }],
    qemuImg: '/usr/bin/qemu-img',
    swtpm: '/usr/bin/swtpm',
    accelerators: ['kvm', 'tcg'],
    firmware: [{ architecture: 'x86_64', code: '/c.fd', vars: '/v.fd', secureBoot: true }],
    problems: [],
    ...change,
  };
}

function draft(change: Partial<WizardDraft> = {}, facts: HostFacts | null = host()): WizardDraft {
  return { ...presetDraft('linux-server', facts), name: 'vm', ...change };
}

const kinds = (d: WizardDraft, facts: HostFacts) => hostWarnings(d, facts).map((w) => `${w.field}:${w.kind}`);

describe('wizard defaults follow the preset and the host', () => {
  test('CPUs and memory never exceed what the host has (memory: half of it, in 256 MiB steps)', () => {
    const small = host({ cpus: 2, memoryMiB: 3000 });
    const d = presetDraft('windows-11', small);
    assert.equal(d.cpus, '2');
    assert.equal(d.memoryMiB, '1280');
    assert.equal(presetDraft('windows-11', host()).memoryMiB, '8192');
    assert.equal(defaultMemoryMiB(4096, null), 4096);
  });

  test('switching the OS keeps the name, the disc and the port forwards', () => {
    const d = presetDraft('windows-10', host(), { name: 'keep', isoPath: '/x.iso', portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: '1', guestPort: '2' }] });
    assert.deepEqual([d.name, d.isoPath, d.portForwards.length, d.nic], ['keep', '/x.iso', 1, 'e1000e']);
  });

  test('an ARM host without an ARM QEMU defaults to the QEMU that is installed', () => {
    assert.equal(presetDraft('other', host({ arch: 'arm64' })).architecture, 'x86_64');
    assert.equal(presetDraft('other', null).architecture, 'x86_64');
  });

  test('the request is what shared accepts, and a name comes from the ISO file', () => {
    const request = draftToRequest(draft({ isoPath: '/isos/debian.iso', diskSizeGiB: '1.5' }));
    assert.equal(VmCreateRequest.safeParse(request).success, true);
    assert.equal(request.disks?.[0]?.sizeMiB, 1536);
    assert.equal(nameFromIso('/home/a/debian-12.5.0-amd64-netinst.iso'), 'debian-12.5.0-amd64-netinst');
    assert.equal(nameFromIso('C:\\isos\\Win11.ISO'), 'Win11');
  });
});

describe('wizard errors: shared schema messages by field, and by step', () => {
  test('a valid draft has none', () => {
    assert.deepEqual(draftErrors(draft(), host()), {});
  });

  test('each bad field is named, on its own step', () => {
    const errors = draftErrors(
      draft({
        name: '  ',
        cpus: 'two',
        memoryMiB: '8',
        diskSizeGiB: '',
        isoPath: 'isos/x.iso',
        portForwards: [
          { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: '2222', guestPort: '22' },
          { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: '2222', guestPort: '99999' },
          { protocol: 'udp', hostAddress: '::1', hostPort: '53', guestPort: '53' },
        ],
      }),
      host(),
    );
    assert.equal(errors.name, 'a VM needs a name');
    assert.equal(errors.cpus, 'enter a whole number');
    assert.match(errors.memoryMiB!, /greater than or equal to 16/);
    assert.equal(errors.diskSizeGiB, 'enter a whole number');
    assert.match(errors.isoPath!, /full path/);
    assert.match(errors['portForwards.1.hostPort']!, /already forwarded in row 1/);
    assert.match(errors['portForwards.1.guestPort']!, /65535/);
    assert.ok(errors['portForwards.2.hostAddress'], 'IPv6 host addresses are refused (QEMU cannot forward them)');
    assert.deepEqual(Object.keys(stepErrors('hardware', errors)).sort(), ['cpus', 'memoryMiB']);
    assert.equal(stepOfField('portForwards.2.hostAddress'), 'devices');
  });

  test('more memory than the host has is an error; no disk means no disk error', () => {
    assert.match(draftErrors(draft({ memoryMiB: '20000' }), host()).memoryMiB!, /this computer has 16384 MiB/);
    assert.equal(draftErrors(draft({ diskEnabled: false, diskSizeGiB: 'x' }), host()).diskSizeGiB, undefined);
  });
});

describe('host warnings: slow or will not work', () => {
  test('a KVM host with everything installed warns about nothing', () => {
    assert.deepEqual(kinds(draft(), host()), []);
  });

  test('no hardware accelerator, or TCG chosen: slow', () => {
    const noKvm = host({ accelerators: ['tcg'], problems: [{ what: 'KVM is not available', fix: 'sudo modprobe kvm_intel', severity: 'warning' }] });
    assert.deepEqual(kinds(draft(), noKvm), ['accelerator:slow']);
    assert.match(hostWarnings(draft(), noKvm)[0]!.text, /modprobe kvm_intel/);
    assert.deepEqual(kinds(draft({ accelerator: 'tcg' }), host()), ['accelerator:slow']);
    assert.deepEqual(kinds(draft({ accelerator: 'hvf' }), host()), ['accelerator:broken']);
  });

  test("a KVM that failed the helper's probe boot: slow, in the words the VM's launch warning uses", () => {
    const reason = 'QEMU was killed by SIGABRT: failed to set MSR 0x10a to 0x69';
    const nested = host({ accelerators: ['tcg'], acceleratorProbe: { accelerator: 'kvm', cpuModel: 'host', ok: false, reason, cached: false } });
    assert.deepEqual(kinds(draft(), nested), ['accelerator:slow']);
    assert.equal(hostWarnings(draft(), nested)[0]!.text, `KVM is present but failed its probe boot (${reason}), so the VM is emulated (TCG) and slow`);
    assert.deepEqual(kinds(draft({ accelerator: 'kvm' }), nested), ['accelerator:broken']);
    assert.match(hostWarnings(draft({ accelerator: 'kvm' }), nested)[0]!.text, /^KVM is not available on this computer \(available: tcg\): KVM is present but failed its probe boot \(QEMU was killed/);
  });

  test('another architecture: slow when its QEMU exists, broken when it does not', () => {
    const both = host({ qemu: [...host().qemu, { ...host().qemu[0]!, architecture: 'aarch64' }] });
    assert.deepEqual(kinds(draft({ architecture: 'aarch64', firmware: 'bios' }), both), ['architecture:slow']);
    assert.deepEqual(kinds(draft({ architecture: 'aarch64', firmware: 'bios' }), host()), ['architecture:broken']);
  });

  test('UEFI without OVMF, Secure Boot without its build, TPM without swtpm, Windows 11 without TPM: broken', () => {
    assert.deepEqual(kinds(draft({ firmware: 'uefi' }), host({ firmware: [] })), ['firmware:broken']);
    assert.deepEqual(kinds(draft({ firmware: 'uefi', secureBoot: true }), host({ firmware: [{ ...host().firmware[0]!, secureBoot: false }] })), ['secureBoot:broken']);
    const win11 = presetDraft('windows-11', host());
    assert.deepEqual(kinds(win11, host({ swtpm: null })), ['tpm:broken']);
    assert.match(hostWarnings(win11, host({ swtpm: null }))[0]!.text, /Windows 11 will not install without a TPM/);
    assert.deepEqual(kinds({ ...win11, tpm: false }, host()), ['tpm:broken']);
  });

  test('more CPUs than the host, most of its memory, SPICE on a QEMU without it', () => {
    assert.deepEqual(kinds(draft({ cpus: '16', memoryMiB: '14000' }), host()), ['cpus:slow', 'memoryMiB:slow']);
    assert.deepEqual(kinds(draft(), host({ qemu: [{ ...host().qemu[0]!, spice: false }] })), ['displayType:slow']);
  });
});
