import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildQemuArgs } from './build-qemu-args';
import { HOSTS } from './testing/host-fixtures';
import { parseQemuOpts, parseQemuOptsUnique, valuesOf } from './testing/parse-qemu-opts';
import { optionsFor, pathsFor, presetConfig, socketPath, VM_ID, WIN_RUN } from './testing/vm-fixtures';

// Names and paths chosen to break naive option building: commas (QEMU's separator), doubled
// commas, '=' (key syntax), things that look like further options, quotes, unicode, '..',
// a leading '-' (looks like a flag), trailing separators.
const HOSTILE_NAMES = [
  'a,b',
  'a,,b',
  ',leading comma',
  'trailing comma,',
  'key=value',
  'x,process=evil',
  'guest=other,debug-threads=on',
  '"double" \'single\' `back`',
  'ünïcødé 名前 🚀',
  '-leading-dash',
  '..',
  'a=b,c=d,,e=f,',
  'help',
];

const HOSTILE_DIRS = [
  '/tmp/we,ird dir',
  '/home/me/a,,b/c=d',
  '/x/../y,server=off,path=/evil',
  '/x/"q"/\'s\'/ü/🚀',
  '/-lead/-x',
  '/p/trailing,',
  '/p/,leading',
  '/p/%d%s',
];

describe('hostile VM names cannot inject -name options', () => {
  for (const name of HOSTILE_NAMES) {
    it(JSON.stringify(name), () => {
      const config = presetConfig('linux-server', (c) => ({ ...c, name }));
      for (const os of ['linux', 'darwin'] as const) {
        const host = os === 'linux' ? HOSTS['linux-x64-kvm'] : HOSTS['darwin-x64-hvf'];
        const { args } = buildQemuArgs(config, host, pathsFor(os), optionsFor(os));
        const values = valuesOf(args, '-name');
        assert.equal(values.length, 1);
        const parsed = parseQemuOpts(values[0]!, 'guest');
        const expected: Array<[string, string]> = [['guest', name]];
        if (os === 'linux') expected.push(['process', `openutm-${VM_ID}`], ['debug-threads', 'on']);
        assert.deepEqual(parsed, expected);
      }
    });
  }
});

describe('hostile paths come out unambiguous', () => {
  for (const dir of HOSTILE_DIRS) {
    it(JSON.stringify(dir), () => {
      const vmFolder = `${dir}/vm folder,1`;
      const iso = `${dir}/install,media=disk.iso`;
      const kernel = `${dir}/vmlinuz,initrd=x`;
      const initrd = `${dir}/initrd.img,,`;
      const cmdline = 'console=ttyS0,115200n8 root=/dev/vda1 quiet,x=y';
      const config = presetConfig(
        'linux-server',
        (c) => ({
          ...c,
          disks: [{ ...c.disks[0]!, file: 'd,isk 1=2 "x".qcow2' }],
          removable: [
            { id: 'cd0', iso, interface: 'sata' },
            { id: 'usbcd', iso, interface: 'usb' },
            { id: 'scsicd', iso, interface: 'scsi' },
          ],
          linuxBoot: { kernel, initrd, cmdline },
        }),
      );
      // The runtime directory itself can hold odd characters too (it derives from $HOME or
      // XDG_RUNTIME_DIR).
      const runtimeRoot = `${dir}/rt`;
      const paths = pathsFor('linux', runtimeRoot);
      const efiVarsPath = `${vmFolder}/efi,vars=1.fd`;
      const { args } = buildQemuArgs(config, HOSTS['linux-x64-kvm'], paths, { vmFolder, efiVarsPath });

      // -blockdev is JSON: the file names come back exactly, whatever they contain.
      const filenames = valuesOf(args, '-blockdev').map((b) => (JSON.parse(b) as { file: { filename: string } }).file.filename);
      assert.deepEqual(filenames.sort(), [`${vmFolder}/d,isk 1=2 "x".qcow2`, efiVarsPath, iso, iso, iso, '/usr/share/OVMF/OVMF_CODE_4M.fd'].sort());

      // Verbatim options: one argv element each, untouched.
      assert.deepEqual(valuesOf(args, '-kernel'), [kernel]);
      assert.deepEqual(valuesOf(args, '-initrd'), [initrd]);
      assert.deepEqual(valuesOf(args, '-append'), [cmdline]);
      assert.deepEqual(valuesOf(args, '-pidfile'), [paths.pidFile]);

      // Key=value options: after QEMU's own parsing, the same keys and exactly the paths.
      const chardevs = valuesOf(args, '-chardev').map((c) => parseQemuOptsUnique(c, 'backend'));
      assert.deepEqual(chardevs.find((c) => c.id === 'serial0'), {
        backend: 'socket',
        id: 'serial0',
        path: socketPath(paths.serial),
        server: 'on',
        wait: 'off',
        logfile: paths.serialQemuLog,
        logappend: 'on',
      });
      assert.deepEqual(chardevs.find((c) => c.id === 'qmp'), { backend: 'socket', id: 'qmp', path: socketPath(paths.qmp), server: 'on', wait: 'off' });
      assert.deepEqual(chardevs.find((c) => c.id === 'qga0'), { backend: 'socket', id: 'qga0', path: socketPath(paths.guestAgent), server: 'on', wait: 'off' });
      assert.deepEqual(parseQemuOptsUnique(valuesOf(args, '-spice')[0]!), {
        unix: 'on',
        addr: socketPath(paths.spice),
        'disable-ticketing': 'on',
        'image-compression': 'off',
      });
      // Every -device still has only the keys the builder meant (no path reaches a device).
      for (const device of valuesOf(args, '-device')) {
        for (const [key] of parseQemuOpts(device, 'driver')) {
          assert.ok(['driver', 'id', 'bus', 'unit', 'drive', 'serial', 'bootindex', 'netdev', 'mac', 'romfile', 'chardev', 'name', 'removable'].includes(key), `unexpected key ${key} in ${device}`);
        }
      }
    });
  }

  it('a VNC unix socket path with "=" keeps its meaning', () => {
    const paths = pathsFor('darwin', '/tmp/a=b,c/x');
    const config = presetConfig('linux-server');
    const { args } = buildQemuArgs(config, HOSTS['darwin-arm64-hvf'], paths, optionsFor('darwin'));
    // `-vnc unix:/tmp/a=b…` would read "unix:/tmp/a" as a key; the builder names the key.
    assert.deepEqual(parseQemuOpts(valuesOf(args, '-vnc')[0]!, 'vnc'), [['vnc', `unix:${socketPath(paths.vnc)}`]]);
  });

  it('Windows paths with backslashes and commas survive JSON and key=value forms', () => {
    const vmFolder = 'C:\\Users\\Jörg\\VMs\\a,b=c';
    const config = presetConfig('windows-11', (c) => c, { iso: 'D:\\ISOs\\Win11, 24H2.iso' });
    const paths = pathsFor('win32', 'C:\\Temp\\open,utm');
    const { args } = buildQemuArgs(config, HOSTS['win32-x64-whpx'], paths, { vmFolder, efiVarsPath: `${vmFolder}\\efi-vars.fd` });
    const filenames = valuesOf(args, '-blockdev').map((b) => (JSON.parse(b) as { file: { filename: string } }).file.filename);
    assert.ok(filenames.includes(`${vmFolder}\\disk0.qcow2`), 'disk path changed');
    assert.ok(filenames.includes('D:\\ISOs\\Win11, 24H2.iso'), 'ISO path changed');
    const serial = valuesOf(args, '-chardev').map((c) => parseQemuOptsUnique(c, 'backend')).find((c) => c.id === 'serial0');
    assert.equal(serial?.logfile, paths.serialQemuLog);
    assert.equal(serial?.backend, 'pipe');
    assert.equal(serial?.path, `openutm-${VM_ID}-${WIN_RUN}-serial`, 'the pipe name holds none of the runtime folder\'s commas');
  });

  it("takes a runtime directory with '%' (no -D formats it any more): the pid file comes through verbatim", () => {
    const config = presetConfig('linux-server');
    const paths = pathsFor('linux', '/run/user/1000/100%d');
    const { args } = buildQemuArgs(config, HOSTS['linux-x64-kvm'], paths, optionsFor('linux'));
    assert.deepEqual(valuesOf(args, '-pidfile'), [paths.pidFile]);
    assert.deepEqual(valuesOf(args, '-D'), []);
  });
});
