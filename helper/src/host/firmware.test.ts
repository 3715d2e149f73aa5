import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { firmwareFromDescriptor, type FirmwareCandidate } from './firmware-descriptor';
import { firmwareDescriptorDirs, orderDescriptorFiles, orderFirmware, qemuDataDirs, wellKnownFirmware } from './firmware-paths';
import { discoverFirmware } from './firmware';

// As shipped in Debian 12's ovmf package, /usr/share/qemu/firmware/40-edk2-x86_64-secure-enrolled.json.
const debianEnrolled = {
  description: 'UEFI firmware for x86_64, with Secure Boot and SMM, SB enabled, MS certs enrolled',
  'interface-types': ['uefi'],
  mapping: {
    device: 'flash',
    executable: { filename: '/usr/share/OVMF/OVMF_CODE_4M.ms.fd', format: 'raw' },
    'nvram-template': { filename: '/usr/share/OVMF/OVMF_VARS_4M.ms.fd', format: 'raw' },
  },
  targets: [{ architecture: 'x86_64', machines: ['pc-q35-*'] }],
  features: ['acpi-s3', 'amd-sev', 'enrolled-keys', 'requires-smm', 'secure-boot', 'verbose-dynamic'],
  tags: [],
};

// Debian 12, 60-edk2-x86_64.json.
const debianPlain = {
  description: 'UEFI firmware for x86_64, without Secure Boot without SMM, with empty varstore',
  'interface-types': ['uefi'],
  mapping: {
    device: 'flash',
    executable: { filename: '/usr/share/OVMF/OVMF_CODE_4M.fd', format: 'raw' },
    'nvram-template': { filename: '/usr/share/OVMF/OVMF_VARS_4M.fd', format: 'raw' },
  },
  targets: [{ architecture: 'x86_64', machines: ['pc-i440fx-*', 'pc-q35-*'] }],
  features: ['acpi-s3', 'amd-sev', 'verbose-dynamic'],
  tags: [],
};

// Upstream QEMU's pc-bios/descriptors/60-edk2-aarch64.json as Homebrew installs it.
const homebrewAarch64 = {
  description: 'UEFI firmware for aarch64',
  'interface-types': ['uefi'],
  mapping: {
    device: 'flash',
    executable: { filename: '/opt/homebrew/Cellar/qemu/9.1.0/share/qemu/edk2-aarch64-code.fd', format: 'raw' },
    'nvram-template': { filename: '/opt/homebrew/Cellar/qemu/9.1.0/share/qemu/edk2-arm-vars.fd', format: 'raw' },
  },
  targets: [{ architecture: 'aarch64', machines: ['virt-*'] }],
  features: ['verbose-static'],
  tags: [],
};

// Fedora 40 ships the 4 MiB builds as qcow2 only, in "split" mode.
const fedoraQcow2 = {
  description: 'OVMF with SB+SMM, SB enabled, MS certs enrolled',
  'interface-types': ['uefi'],
  mapping: {
    device: 'flash',
    mode: 'split',
    executable: { filename: '/usr/share/edk2/ovmf/OVMF_CODE_4M.secboot.qcow2', format: 'qcow2' },
    'nvram-template': { filename: '/usr/share/edk2/ovmf/OVMF_VARS_4M.secboot.qcow2', format: 'qcow2' },
  },
  targets: [{ architecture: 'x86_64', machines: ['pc-q35-*'] }],
  features: ['acpi-s3', 'amd-sev', 'enrolled-keys', 'requires-smm', 'secure-boot', 'verbose-dynamic'],
  tags: [],
};

// Fedora's SEV image: loaded into memory, no vars file.
const fedoraSev = {
  description: 'OVMF for x86_64, with SEV enabled, without SMM',
  'interface-types': ['uefi'],
  mapping: { device: 'memory', filename: '/usr/share/edk2/ovmf/OVMF.amdsev.fd' },
  targets: [{ architecture: 'x86_64', machines: ['pc-q35-*'] }],
  features: ['amd-sev', 'amd-sev-es', 'verbose-dynamic'],
  tags: [],
};

const descriptorCases: Array<[string, unknown, FirmwareCandidate[]]> = [
  [
    'Debian enrolled Secure Boot',
    debianEnrolled,
    [{ architecture: 'x86_64', code: '/usr/share/OVMF/OVMF_CODE_4M.ms.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.ms.fd', secureBoot: true, enrolledKeys: true }],
  ],
  [
    'Debian plain UEFI',
    debianPlain,
    [{ architecture: 'x86_64', code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd', secureBoot: false, enrolledKeys: false }],
  ],
  [
    'Homebrew aarch64',
    homebrewAarch64,
    [
      {
        architecture: 'aarch64',
        code: '/opt/homebrew/Cellar/qemu/9.1.0/share/qemu/edk2-aarch64-code.fd',
        vars: '/opt/homebrew/Cellar/qemu/9.1.0/share/qemu/edk2-arm-vars.fd',
        secureBoot: false,
        enrolledKeys: false,
      },
    ],
  ],
  ['qcow2 pflash is skipped', fedoraQcow2, []],
  ['memory-mapped SEV image is skipped', fedoraSev, []],
  ['a target architecture OpenUTM does not run is skipped', { ...debianPlain, targets: [{ architecture: 'i386', machines: ['pc-q35-*'] }] }, []],
  ['BIOS descriptors are skipped', { ...debianPlain, 'interface-types': ['bios'] }, []],
  ['a malformed descriptor is skipped', { description: 'broken', mapping: 'nope' }, []],
];

for (const [name, json, expected] of descriptorCases) {
  test(`firmwareFromDescriptor — ${name}`, () => {
    assert.deepEqual(firmwareFromDescriptor(json), expected);
  });
}

test('qemuDataDirs derives share/qemu from the binary, then the usual prefixes', () => {
  assert.deepEqual(qemuDataDirs('darwin', {}, ['/opt/homebrew/bin/qemu-system-aarch64']), [
    '/opt/homebrew/share/qemu',
    '/usr/local/share/qemu',
    '/opt/local/share/qemu',
  ]);
  assert.deepEqual(qemuDataDirs('linux', {}, ['/usr/libexec/qemu-kvm']), ['/usr/share/qemu', '/usr/local/share/qemu']);
  assert.deepEqual(qemuDataDirs('win32', { ProgramFiles: 'C:\\Program Files' }, ['D:\\qemu\\qemu-system-x86_64.exe']), [
    'D:\\qemu\\share',
    'C:\\Program Files\\qemu\\share',
  ]);
});

test('firmwareDescriptorDirs: user config, /etc, then data dirs', () => {
  assert.deepEqual(firmwareDescriptorDirs('linux', { HOME: '/home/u' }, ['/usr/share/qemu']), [
    '/home/u/.config/qemu/firmware',
    '/etc/qemu/firmware',
    '/usr/share/qemu/firmware',
  ]);
  assert.deepEqual(firmwareDescriptorDirs('darwin', { XDG_CONFIG_HOME: '/x' }, ['/opt/homebrew/share/qemu']), ['/x/qemu/firmware', '/opt/homebrew/share/qemu/firmware']);
});

test('orderDescriptorFiles: a higher-priority directory hides the same name; names sort', () => {
  const got = orderDescriptorFiles('linux', [
    { dir: '/etc/qemu/firmware', files: ['60-edk2-x86_64.json', 'README'] },
    { dir: '/usr/share/qemu/firmware', files: ['60-edk2-x86_64.json', '50-edk2-x86_64-secure.json', '40-edk2-x86_64-secure-enrolled.json'] },
  ]);
  assert.deepEqual(got, [
    '/usr/share/qemu/firmware/40-edk2-x86_64-secure-enrolled.json',
    '/usr/share/qemu/firmware/50-edk2-x86_64-secure.json',
    '/etc/qemu/firmware/60-edk2-x86_64.json',
  ]);
});

test('wellKnownFirmware: Linux package paths plus upstream names in each data dir', () => {
  const linux = wellKnownFirmware('linux', ['/usr/share/qemu']);
  assert.ok(linux.some((f) => f.code === '/usr/share/OVMF/OVMF_CODE_4M.fd' && f.vars === '/usr/share/OVMF/OVMF_VARS_4M.fd' && !f.secureBoot));
  assert.ok(linux.some((f) => f.code === '/usr/share/edk2/x64/OVMF_CODE.secboot.4m.fd' && f.secureBoot));
  assert.ok(linux.some((f) => f.architecture === 'aarch64' && f.code === '/usr/share/AAVMF/AAVMF_CODE.fd'));
  const mac = wellKnownFirmware('darwin', ['/opt/homebrew/share/qemu']);
  assert.deepEqual(
    mac.map((f) => [f.architecture, path.basename(f.code), path.basename(f.vars), f.secureBoot]),
    [
      ['x86_64', 'edk2-x86_64-code.fd', 'edk2-i386-vars.fd', false],
      ['x86_64', 'edk2-x86_64-secure-code.fd', 'edk2-i386-vars.fd', true],
      ['aarch64', 'edk2-aarch64-code.fd', 'edk2-arm-vars.fd', false],
    ],
  );
});

test('orderFirmware: x86_64 first, plain before Secure Boot, enrolled first, duplicates dropped', () => {
  const f = (architecture: 'x86_64' | 'aarch64', code: string, secureBoot: boolean, enrolledKeys = false): FirmwareCandidate => ({
    architecture,
    code,
    vars: `${code}.vars`,
    secureBoot,
    enrolledKeys,
  });
  const got = orderFirmware([f('aarch64', 'a', false), f('x86_64', 'sb', true), f('x86_64', 'ms', true, true), f('x86_64', 'plain', false), f('x86_64', 'plain', false)]);
  assert.deepEqual(
    got.map((x) => x.code),
    ['plain', 'ms', 'sb', 'a'],
  );
});

test('discoverFirmware: descriptors (relocated paths resolved, masked ones skipped) and well-known pairs', { skip: process.platform === 'win32' ? 'it searches as a macOS host, whose POSIX paths no Windows temp folder is' : false }, async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'openutm-fw-'));
  try {
    const data = path.join(root, 'share', 'qemu');
    const config = path.join(root, 'config');
    await mkdir(path.join(data, 'firmware'), { recursive: true });
    await mkdir(path.join(config, 'qemu', 'firmware'), { recursive: true });
    for (const f of ['edk2-aarch64-code.fd', 'edk2-arm-vars.fd', 'edk2-x86_64-code.fd', 'edk2-i386-vars.fd', 'edk2-x86_64-secure-code.fd']) {
      await writeFile(path.join(data, f), 'fd');
    }
    // Stale Cellar path: resolved to the same names beside the descriptor's data dir.
    await writeFile(path.join(data, 'firmware', '60-edk2-aarch64.json'), JSON.stringify(homebrewAarch64));
    const secure = {
      ...debianEnrolled,
      mapping: {
        device: 'flash',
        executable: { filename: path.join(data, 'edk2-x86_64-secure-code.fd'), format: 'raw' },
        'nvram-template': { filename: path.join(data, 'edk2-i386-vars.fd'), format: 'raw' },
      },
    };
    await writeFile(path.join(data, 'firmware', '50-edk2-x86_64-secure.json'), JSON.stringify(secure));
    await writeFile(path.join(data, 'firmware', '55-broken.json'), '{ not json');
    // Points at files that do not exist anywhere: dropped.
    const missing = {
      ...debianPlain,
      mapping: {
        device: 'flash',
        executable: { filename: path.join(root, 'gone', 'OVMF_CODE.fd'), format: 'raw' },
        'nvram-template': { filename: path.join(root, 'gone', 'OVMF_VARS.fd'), format: 'raw' },
      },
    };
    await writeFile(path.join(data, 'firmware', '70-missing.json'), JSON.stringify(missing));

    const found = await discoverFirmware({ os: 'darwin', env: { XDG_CONFIG_HOME: config }, dataDirs: [data] });
    assert.deepEqual(
      found.map((f) => [f.architecture, path.relative(root, f.code), path.relative(root, f.vars), f.secureBoot, f.enrolledKeys]),
      [
        ['x86_64', 'share/qemu/edk2-x86_64-code.fd', 'share/qemu/edk2-i386-vars.fd', false, false],
        // From the descriptor, so it knows the keys are enrolled; the well-known duplicate is dropped.
        ['x86_64', 'share/qemu/edk2-x86_64-secure-code.fd', 'share/qemu/edk2-i386-vars.fd', true, true],
        ['aarch64', 'share/qemu/edk2-aarch64-code.fd', 'share/qemu/edk2-arm-vars.fd', false, false],
      ],
    );

    // An empty file of the same name in the user's config masks the system descriptor.
    await writeFile(path.join(config, 'qemu', 'firmware', '50-edk2-x86_64-secure.json'), '');
    const masked = await discoverFirmware({ os: 'darwin', env: { XDG_CONFIG_HOME: config }, dataDirs: [data] });
    const sb = masked.find((f) => f.secureBoot);
    assert.equal(sb?.enrolledKeys, false, 'only the well-known pair (no enrolled-keys claim) remains');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
