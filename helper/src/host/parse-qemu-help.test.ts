import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAcceleratorHelp, parseMachineHelp, parseQemuVersion, sandboxFromHelp, spiceFromHelp, vdagentFromHelp } from './parse-qemu-help';

const COPYRIGHT = 'Copyright (c) 2003-2024 Fabrice Bellard and the QEMU Project developers\n';

const versions: Array<[string, string | null]> = [
  // Debian 12
  [`QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\n${COPYRIGHT}`, '7.2.22'],
  // Homebrew prints no package note
  [`QEMU emulator version 9.1.0\n${COPYRIGHT}`, '9.1.0'],
  // Stefan Weil's Windows builds (the winget package)
  [`QEMU emulator version 9.2.0 (v9.2.0-12009-g0d16b2a9a8)\r\n${COPYRIGHT}`, '9.2.0'],
  // A development snapshot
  [`QEMU emulator version 8.2.50 (v8.2.0-1135-g6370d13c62)\n${COPYRIGHT}`, '8.2.50'],
  // RHEL's qemu-kvm
  [`QEMU emulator version 8.2.0 (qemu-kvm-8.2.0-11.el9_4.6)\n${COPYRIGHT}`, '8.2.0'],
  // Ubuntu 18.04 glued the package note on without a space
  ['QEMU emulator version 2.11.1(Debian 1:2.11+dfsg-1ubuntu7.42)\n', '2.11.1'],
  // Not QEMU at all
  ['Python 3.11.2\n', null],
  ['', null],
];

for (const [output, expected] of versions) {
  test(`parseQemuVersion ${JSON.stringify(output.split('\n')[0])} → ${expected}`, () => {
    assert.equal(parseQemuVersion(output), expected);
  });
}

test('parseAcceleratorHelp keeps the accelerators OpenUTM drives, in QEMU order', () => {
  assert.deepEqual(parseAcceleratorHelp('Accelerators supported in QEMU binary:\ntcg\nkvm\n'), ['tcg', 'kvm']);
  assert.deepEqual(parseAcceleratorHelp('Accelerators supported in QEMU binary:\ntcg\nhvf\n'), ['tcg', 'hvf']);
  assert.deepEqual(parseAcceleratorHelp('Accelerators supported in QEMU binary:\r\ntcg\r\nwhpx\r\n'), ['tcg', 'whpx']);
  assert.deepEqual(parseAcceleratorHelp('Accelerators supported in QEMU binary:\nxen\nkvm\nqtest\ntcg\n'), ['kvm', 'tcg']);
  assert.deepEqual(parseAcceleratorHelp('qemu-system-x86_64: -accel help: invalid option\n'), []);
});

test('parseMachineHelp takes the first column after the heading', () => {
  const out = [
    'Supported machines are:',
    'microvm              microvm (i386)',
    'pc                   Standard PC (i440FX + PIIX, 1996) (alias of pc-i440fx-7.2)',
    'pc-i440fx-7.2        Standard PC (i440FX + PIIX, 1996) (default)',
    'q35                  Standard PC (Q35 + ICH9, 2009) (alias of pc-q35-7.2)',
    'none                 empty machine',
    '',
  ].join('\n');
  assert.deepEqual(parseMachineHelp(out), ['microvm', 'pc', 'pc-i440fx-7.2', 'q35', 'none']);
  assert.deepEqual(parseMachineHelp('garbage\n'), []);
});

test('spiceFromHelp: the option list means yes, "no option group" means no', () => {
  assert.equal(spiceFromHelp('spice options:\n  addr=<str>\n  disable-ticketing=<bool (on/off)>\n'), true);
  assert.equal(spiceFromHelp("qemu-system-x86_64: -spice help: There is no option group 'spice'\n"), false);
  assert.equal(spiceFromHelp(''), false);
});

test('sandboxFromHelp: only the seccomp build\'s complaint about "help" means yes', () => {
  assert.equal(sandboxFromHelp("qemu-system-x86_64: -sandbox help: Parameter 'enable' expects 'on' or 'off'\n"), true);
  assert.equal(sandboxFromHelp('qemu-system-aarch64: -sandbox support is not enabled in this QEMU binary\n'), false);
  assert.equal(
    sandboxFromHelp("qemu-system-aarch64: There is no option group 'sandbox'\nqemu-system-aarch64: -sandbox support is not enabled in this QEMU binary\n"),
    false,
  );
  assert.equal(sandboxFromHelp('Segmentation fault\n'), false);
});

test('vdagentFromHelp: the backend list names qemu-vdagent only where it is built in', () => {
  const debian = 'Available chardev backend types: \n  stdio\n  ringbuf\n  mux\n  pipe\n  qemu-vdagent\n  null\n  socket\n  spicevmc\n';
  const table: Array<[string, string, boolean]> = [
    ['Debian 7.2', debian, true],
    ['built without spice-protocol', debian.replace('  qemu-vdagent\n', ''), false],
    ['only a longer name that contains it', 'Available chardev backend types: \n  qemu-vdagent-x\n', false],
    ['an error instead of the list', "qemu-system-x86_64: -chardev help: invalid option\n", false],
    ['nothing', '', false],
  ];
  for (const [name, output, want] of table) assert.equal(vdagentFromHelp(output), want, name);
});
