import type { HostOs } from '@openutm/shared';
import type { FirmwareCandidate } from './firmware-descriptor';
import { wellKnownBinDirs } from './find-qemu';
import { envValue, pathFor, type Env } from './host-platform';

// QEMU's data directories (where edk2-*.fd and firmware/*.json live), derived from the binaries
// first: Homebrew's bin/qemu-system-x86_64 has its data in ../share/qemu, the Windows installer
// keeps it in share\ beside the .exe. The usual prefixes follow for binaries found elsewhere.
export function qemuDataDirs(os: HostOs, env: Env, binaries: readonly string[]): string[] {
  const p = pathFor(os);
  const fromBinaries = binaries.map((b) => (os === 'win32' ? p.join(p.dirname(b), 'share') : p.join(p.dirname(p.dirname(b)), 'share', 'qemu')));
  const defaults =
    os === 'linux'
      ? ['/usr/share/qemu', '/usr/local/share/qemu']
      : os === 'darwin'
        ? ['/opt/homebrew/share/qemu', '/usr/local/share/qemu', '/opt/local/share/qemu']
        : wellKnownBinDirs(os, env).map((d) => p.join(d, 'share'));
  return [...new Set([...fromBinaries, ...defaults])];
}

// Where firmware descriptors live, highest priority first, as QEMU's firmware.json spec orders
// them: the user's config, the system config, then the data directories.
export function firmwareDescriptorDirs(os: HostOs, env: Env, dataDirs: readonly string[]): string[] {
  const p = pathFor(os);
  const user: string[] = [];
  if (os !== 'win32') {
    const xdg = envValue(env, 'XDG_CONFIG_HOME', os);
    const home = envValue(env, 'HOME', os);
    if (xdg) user.push(p.join(xdg, 'qemu', 'firmware'));
    else if (home) user.push(p.join(home, '.config', 'qemu', 'firmware'));
  }
  const system = os === 'linux' ? ['/etc/qemu/firmware'] : [];
  return [...new Set([...user, ...system, ...dataDirs.map((d) => p.join(d, 'firmware'))])];
}

// The descriptor files QEMU would use: a name in a higher-priority directory hides the same name
// further down (an empty file there masks it), and the survivors are read in name order.
export function orderDescriptorFiles(os: HostOs, listings: ReadonlyArray<{ dir: string; files: readonly string[] }>): string[] {
  const p = pathFor(os);
  const chosen = new Map<string, string>();
  for (const { dir, files } of listings) {
    for (const f of files) if (f.endsWith('.json') && !chosen.has(f)) chosen.set(f, p.join(dir, f));
  }
  return [...chosen.keys()].sort().map((f) => chosen.get(f)!);
}

type Pair = [code: string, vars: string, secureBoot: boolean, enrolledKeys: boolean];

// Distribution packages that may lack descriptors (or predate them), by their documented paths;
// within each family the 4 MiB builds come first, as the distributions now default to them.
const LINUX_X86_64: Array<[dir: string, pairs: Pair[]]> = [
  // Debian, Ubuntu: package ovmf.
  [
    '/usr/share/OVMF',
    [
      ['OVMF_CODE_4M.fd', 'OVMF_VARS_4M.fd', false, false],
      ['OVMF_CODE_4M.ms.fd', 'OVMF_VARS_4M.ms.fd', true, true],
      ['OVMF_CODE_4M.secboot.fd', 'OVMF_VARS_4M.fd', true, false],
      ['OVMF_CODE.fd', 'OVMF_VARS.fd', false, false],
      ['OVMF_CODE.ms.fd', 'OVMF_VARS.ms.fd', true, true],
      ['OVMF_CODE.secboot.fd', 'OVMF_VARS.ms.fd', true, true],
      ['OVMF_CODE.secboot.fd', 'OVMF_VARS.fd', true, false],
    ],
  ],
  // Fedora, RHEL: package edk2-ovmf.
  [
    '/usr/share/edk2/ovmf',
    [
      ['OVMF_CODE.fd', 'OVMF_VARS.fd', false, false],
      ['OVMF_CODE.secboot.fd', 'OVMF_VARS.secboot.fd', true, true],
      ['OVMF_CODE.secboot.fd', 'OVMF_VARS.fd', true, false],
    ],
  ],
  // Arch: package edk2-ovmf (older releases used /usr/share/edk2-ovmf/x64).
  [
    '/usr/share/edk2/x64',
    [
      ['OVMF_CODE.4m.fd', 'OVMF_VARS.4m.fd', false, false],
      ['OVMF_CODE.secboot.4m.fd', 'OVMF_VARS.4m.fd', true, false],
      ['OVMF_CODE.fd', 'OVMF_VARS.fd', false, false],
      ['OVMF_CODE.secboot.fd', 'OVMF_VARS.fd', true, false],
    ],
  ],
  [
    '/usr/share/edk2-ovmf/x64',
    [
      ['OVMF_CODE.fd', 'OVMF_VARS.fd', false, false],
      ['OVMF_CODE.secboot.fd', 'OVMF_VARS.fd', true, false],
    ],
  ],
  // openSUSE: package qemu-ovmf-x86_64.
  [
    '/usr/share/qemu',
    [
      ['ovmf-x86_64-4m-code.bin', 'ovmf-x86_64-4m-vars.bin', false, false],
      ['ovmf-x86_64-code.bin', 'ovmf-x86_64-vars.bin', false, false],
      ['ovmf-x86_64-ms-4m-code.bin', 'ovmf-x86_64-ms-4m-vars.bin', true, true],
      ['ovmf-x86_64-ms-code.bin', 'ovmf-x86_64-ms-vars.bin', true, true],
    ],
  ],
];

const LINUX_AARCH64: Array<[dir: string, pairs: Pair[]]> = [
  // Debian, Ubuntu: package qemu-efi-aarch64.
  [
    '/usr/share/AAVMF',
    [
      ['AAVMF_CODE.fd', 'AAVMF_VARS.fd', false, false],
      ['AAVMF_CODE.ms.fd', 'AAVMF_VARS.ms.fd', true, true],
    ],
  ],
  // Fedora: package edk2-aarch64; Arch: package edk2-aarch64.
  [
    '/usr/share/edk2/aarch64',
    [
      ['QEMU_EFI-pflash.raw', 'vars-template-pflash.raw', false, false],
      ['QEMU_CODE.fd', 'QEMU_VARS.fd', false, false],
    ],
  ],
  // openSUSE: package qemu-uefi-aarch64.
  ['/usr/share/qemu', [['aavmf-aarch64-code.bin', 'aavmf-aarch64-vars.bin', false, false]]],
];

// What upstream QEMU installs into its data directory (Homebrew, MacPorts, Windows, source builds).
const UPSTREAM: Array<[arch: 'x86_64' | 'aarch64', ...Pair]> = [
  ['x86_64', 'edk2-x86_64-code.fd', 'edk2-i386-vars.fd', false, false],
  ['x86_64', 'edk2-x86_64-secure-code.fd', 'edk2-i386-vars.fd', true, false],
  ['aarch64', 'edk2-aarch64-code.fd', 'edk2-arm-vars.fd', false, false],
];

// Firmware pairs at well-known paths, for hosts whose packages ship no descriptors; the caller
// keeps the pairs whose two files both exist.
export function wellKnownFirmware(os: HostOs, dataDirs: readonly string[]): FirmwareCandidate[] {
  const p = pathFor(os);
  const out: FirmwareCandidate[] = [];
  const add = (architecture: 'x86_64' | 'aarch64', dir: string, [code, vars, secureBoot, enrolledKeys]: Pair) =>
    out.push({ architecture, code: p.join(dir, code), vars: p.join(dir, vars), secureBoot, enrolledKeys });
  if (os === 'linux') {
    for (const [dir, pairs] of LINUX_X86_64) for (const pair of pairs) add('x86_64', dir, pair);
    for (const [dir, pairs] of LINUX_AARCH64) for (const pair of pairs) add('aarch64', dir, pair);
  }
  for (const dir of dataDirs) for (const [arch, ...pair] of UPSTREAM) add(arch, dir, pair);
  return out;
}

// One list for the argument builder: per architecture (x86_64 first), plain UEFI before Secure
// Boot, enrolled keys first among the Secure Boot pairs, otherwise the order found (descriptors
// before well-known paths); duplicates dropped. So `find(arch, secureBoot)` gets the best pair.
export function orderFirmware(found: readonly FirmwareCandidate[]): FirmwareCandidate[] {
  const seen = new Set<string>();
  const unique = found.filter((f) => {
    const key = `${f.architecture}\0${f.code}\0${f.vars}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const rank = (f: FirmwareCandidate) => (f.architecture === 'x86_64' ? 0 : 4) + (f.secureBoot ? 2 : 0) + (f.secureBoot && !f.enrolledKeys ? 1 : 0);
  return unique.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
}
