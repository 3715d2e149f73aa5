import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Architecture } from '@openutm/shared';
import { architectureOfName, qemuCandidates, toolCandidates, type SearchContext } from './find-qemu';
import { firstExecutable, isExecutableFile, windowsCanRun } from './find-executable';
import { pathDirs } from './host-platform';

const linux = (env: SearchContext['env'], native: Architecture = 'x86_64'): SearchContext => ({ os: 'linux', env, native });

const cases: Array<[string, SearchContext, Architecture, string[]]> = [
  [
    'linux: PATH first, then /usr/bin and friends, qemu-kvm last for the host architecture',
    linux({ PATH: '/home/u/bin:/usr/bin' }),
    'x86_64',
    ['/home/u/bin/qemu-system-x86_64', '/usr/bin/qemu-system-x86_64', '/usr/local/bin/qemu-system-x86_64', '/bin/qemu-system-x86_64', '/usr/libexec/qemu-kvm'],
  ],
  [
    'linux: no qemu-kvm for a foreign architecture',
    linux({ PATH: '' }),
    'aarch64',
    ['/usr/bin/qemu-system-aarch64', '/usr/local/bin/qemu-system-aarch64', '/bin/qemu-system-aarch64'],
  ],
  [
    'linux arm64 host: qemu-kvm is the aarch64 one',
    linux({}, 'aarch64'),
    'aarch64',
    ['/usr/bin/qemu-system-aarch64', '/usr/local/bin/qemu-system-aarch64', '/bin/qemu-system-aarch64', '/usr/libexec/qemu-kvm'],
  ],
  [
    'macOS: PATH, then Homebrew (Apple silicon, Intel), then MacPorts',
    { os: 'darwin', env: { PATH: '/usr/bin:/bin' }, native: 'aarch64' },
    'aarch64',
    ['/usr/bin/qemu-system-aarch64', '/bin/qemu-system-aarch64', '/opt/homebrew/bin/qemu-system-aarch64', '/usr/local/bin/qemu-system-aarch64', '/opt/local/bin/qemu-system-aarch64'],
  ],
  [
    'macOS: a Homebrew dir already on PATH is not listed twice',
    { os: 'darwin', env: { PATH: '/opt/homebrew/bin' }, native: 'aarch64' },
    'x86_64',
    ['/opt/homebrew/bin/qemu-system-x86_64', '/usr/local/bin/qemu-system-x86_64', '/opt/local/bin/qemu-system-x86_64'],
  ],
  [
    'Windows: Path in any case, quoted entries, .exe, then %ProgramFiles%\\qemu',
    { os: 'win32', env: { Path: 'C:\\Windows;"C:\\Tools\\qemu";', ProgramFiles: 'D:\\Apps' }, native: 'x86_64' },
    'x86_64',
    ['C:\\Windows\\qemu-system-x86_64.exe', 'C:\\Tools\\qemu\\qemu-system-x86_64.exe', 'D:\\Apps\\qemu\\qemu-system-x86_64.exe', 'C:\\Program Files\\qemu\\qemu-system-x86_64.exe'],
  ],
  [
    'OPENUTM_QEMU as a directory: only that directory (or the path itself, read as a host-arch binary)',
    linux({ PATH: '/usr/bin', OPENUTM_QEMU: '/opt/qemu/bin' }),
    'x86_64',
    ['/opt/qemu/bin', '/opt/qemu/bin/qemu-system-x86_64'],
  ],
  [
    'OPENUTM_QEMU directory, foreign architecture: the directory is not a binary for it',
    linux({ OPENUTM_QEMU: '/opt/qemu/bin' }),
    'aarch64',
    ['/opt/qemu/bin/qemu-system-aarch64'],
  ],
  [
    'OPENUTM_QEMU as a binary named for its architecture',
    linux({ OPENUTM_QEMU: '/opt/q/qemu-system-aarch64' }),
    'aarch64',
    ['/opt/q/qemu-system-aarch64', '/opt/q/qemu-system-aarch64/qemu-system-aarch64'],
  ],
  [
    'OPENUTM_QEMU naming another architecture does not count as this one',
    linux({ OPENUTM_QEMU: '/opt/q/qemu-system-aarch64' }),
    'x86_64',
    ['/opt/q/qemu-system-aarch64/qemu-system-x86_64'],
  ],
  [
    'OPENUTM_QEMU on Windows, directory form',
    { os: 'win32', env: { OPENUTM_QEMU: 'E:\\qemu' }, native: 'x86_64' },
    'aarch64',
    ['E:\\qemu\\qemu-system-aarch64.exe'],
  ],
];

for (const [name, ctx, arch, expected] of cases) {
  test(`qemuCandidates — ${name}`, () => {
    assert.deepEqual(qemuCandidates(ctx, arch), expected);
  });
}

test('architectureOfName reads the target from the file name only', () => {
  assert.equal(architectureOfName('qemu-system-x86_64'), 'x86_64');
  assert.equal(architectureOfName('qemu-system-aarch64.exe'), 'aarch64');
  assert.equal(architectureOfName('qemu-kvm'), null);
  assert.equal(architectureOfName('qemu-system-riscv64'), null);
});

test('toolCandidates looks beside QEMU first, then PATH, then the usual places', () => {
  const got = toolCandidates({ os: 'linux', env: { PATH: '/usr/bin' } }, 'qemu-img', ['/opt/qemu/bin']);
  assert.deepEqual(got, ['/opt/qemu/bin/qemu-img', '/usr/bin/qemu-img', '/usr/local/bin/qemu-img', '/bin/qemu-img']);
  const win = toolCandidates({ os: 'win32', env: { PATH: '' } }, 'qemu-img', ['C:\\Program Files\\qemu']);
  assert.deepEqual(win, ['C:\\Program Files\\qemu\\qemu-img.exe']);
});

test('pathDirs drops empty entries and uses ; on Windows', () => {
  assert.deepEqual(pathDirs({ PATH: ':/a::/b:' }, 'linux'), ['/a', '/b']);
  assert.deepEqual(pathDirs({ PATH: 'C:\\a;;C:\\b' }, 'win32'), ['C:\\a', 'C:\\b']);
  assert.deepEqual(pathDirs({}, 'linux'), []);
});

test('firstExecutable keeps candidate order even when a later check answers first', async () => {
  const slowYes = new Set(['/a']);
  const check = async (p: string) => {
    if (slowYes.has(p)) await new Promise((r) => setImmediate(r));
    return p === '/a' || p === '/b';
  };
  assert.equal(await firstExecutable(['/a', '/b'], check), '/a');
  assert.equal(await firstExecutable(['/x', '/b'], check), '/b');
  assert.equal(await firstExecutable(['/x'], check), null);
});

test('windowsCanRun: programs only, whatever the case; scripts need a shell and are not QEMU', () => {
  for (const yes of ['C:\\Program Files\\qemu\\qemu-system-x86_64.exe', 'X.EXE', 'a.com']) assert.equal(windowsCanRun(yes), true, yes);
  for (const no of ['qemu-system-x86_64', 'qemu.cmd', 'qemu.bat', 'qemu.ps1', 'qemu.exe.txt', 'C:\\qemu.exe\\dir']) assert.equal(windowsCanRun(no), false, no);
});

test('isExecutableFile on Windows refuses what spawn cannot start, before looking at the disk', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'openutm-find-'));
  try {
    const script = path.join(dir, 'qemu-system-x86_64.cmd');
    await writeFile(script, '@echo off\r\n');
    assert.equal(await isExecutableFile(script, 'win32'), false);
    assert.equal(await isExecutableFile(path.join(dir, 'missing.exe'), 'win32'), false);
    const exe = path.join(dir, 'qemu-system-x86_64.exe');
    await writeFile(exe, 'MZ');
    assert.equal(await isExecutableFile(exe, 'win32'), true, 'Windows has no execute bit: an .exe file is enough');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const POSIX_ONLY = process.platform === 'win32' ? 'fixture programs are shell scripts with an execute bit, which Windows has neither of' : false;

test('isExecutableFile: executable files yes; directories, missing and non-executable files no', { skip: POSIX_ONLY }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'openutm-find-'));
  try {
    const exe = path.join(dir, 'qemu-system-x86_64');
    const plain = path.join(dir, 'notes.txt');
    await writeFile(exe, '#!/bin/sh\n');
    await chmod(exe, 0o755);
    await writeFile(plain, 'x');
    await chmod(plain, 0o644);
    await mkdir(path.join(dir, 'sub'));
    assert.equal(await isExecutableFile(exe), true);
    assert.equal(await isExecutableFile(plain), false);
    assert.equal(await isExecutableFile(path.join(dir, 'sub')), false);
    assert.equal(await isExecutableFile(path.join(dir, 'missing')), false);
    // OPENUTM_QEMU as a directory resolves to the binary inside it, as a file to itself.
    const ctx = (q: string): SearchContext => ({ os: 'linux', env: { OPENUTM_QEMU: q }, native: 'x86_64' });
    assert.equal(await firstExecutable(qemuCandidates(ctx(dir), 'x86_64')), exe);
    assert.equal(await firstExecutable(qemuCandidates(ctx(exe), 'x86_64')), exe);
    assert.equal(await firstExecutable(qemuCandidates(ctx(dir), 'aarch64')), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
