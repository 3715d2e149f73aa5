import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PRESETS, type Accelerator, type HostFacts, type OsPreset } from '@openutm/shared';
import { buildQemuArgs } from './build-qemu-args';
import { HOSTS } from './testing/host-fixtures';
import { parseQemuOpts, parseQemuOptsUnique, valuesOf } from './testing/parse-qemu-opts';
import { asAarch64, optionsFor, pathsFor, presetConfig, socketPath, VM_ID, WIN_RUN } from './testing/vm-fixtures';

type HostName = keyof typeof HOSTS;

// What each preset must put into the machine, independent of the host.
const PRESET_EXPECT: Record<
  OsPreset,
  { machine: 'q35' | 'pc'; uefi: boolean; secureBoot: boolean; disk: string; cd: string; nic: string; video: string; videoNoSpice: string; sound: string | null; tpm: boolean; localtime: boolean }
> = {
  'linux-desktop': { machine: 'q35', uefi: true, secureBoot: false, disk: 'virtio-blk-pci', cd: 'ide-cd', nic: 'virtio-net-pci', video: 'virtio-vga', videoNoSpice: 'virtio-vga', sound: 'intel-hda', tpm: false, localtime: false },
  'linux-server': { machine: 'q35', uefi: true, secureBoot: false, disk: 'virtio-blk-pci', cd: 'ide-cd', nic: 'virtio-net-pci', video: 'virtio-vga', videoNoSpice: 'virtio-vga', sound: null, tpm: false, localtime: false },
  'windows-10': { machine: 'q35', uefi: true, secureBoot: false, disk: 'ide-hd', cd: 'ide-cd', nic: 'e1000e', video: 'qxl-vga', videoNoSpice: 'VGA', sound: 'ich9-intel-hda', tpm: false, localtime: true },
  'windows-11': { machine: 'q35', uefi: true, secureBoot: true, disk: 'nvme', cd: 'ide-cd', nic: 'e1000e', video: 'qxl-vga', videoNoSpice: 'VGA', sound: 'ich9-intel-hda', tpm: true, localtime: true },
  freebsd: { machine: 'q35', uefi: false, secureBoot: false, disk: 'virtio-blk-pci', cd: 'ide-cd', nic: 'virtio-net-pci', video: 'VGA', videoNoSpice: 'VGA', sound: null, tpm: false, localtime: false },
  other: { machine: 'pc', uefi: false, secureBoot: false, disk: 'ide-hd', cd: 'ide-cd', nic: 'rtl8139', video: 'VGA', videoNoSpice: 'VGA', sound: null, tpm: false, localtime: false },
};

// The accelerator and -accel value each host gives an x86_64 and an aarch64 guest.
const ACCEL_EXPECT: Record<HostName, Record<'x86_64' | 'aarch64', { accel: Accelerator; flag: string }>> = {
  'linux-x64-kvm': { x86_64: { accel: 'kvm', flag: 'kvm' }, aarch64: { accel: 'tcg', flag: 'tcg' } },
  'darwin-arm64-hvf': { x86_64: { accel: 'tcg', flag: 'tcg' }, aarch64: { accel: 'hvf', flag: 'hvf' } },
  'darwin-x64-hvf': { x86_64: { accel: 'hvf', flag: 'hvf' }, aarch64: { accel: 'tcg', flag: 'tcg' } },
  'win32-x64-whpx': { x86_64: { accel: 'whpx', flag: 'whpx,kernel-irqchip=off' }, aarch64: { accel: 'tcg', flag: 'tcg' } },
};

function deviceDrivers(args: string[]): string[] {
  return valuesOf(args, '-device').map((d) => parseQemuOpts(d, 'driver')[0]![1]);
}

function single(args: string[], flag: string): string {
  const values = valuesOf(args, flag);
  assert.equal(values.length, 1, `${flag} appears ${values.length} times`);
  return values[0]!;
}

// Assertions every VM on every host must satisfy.
function assertCommon(args: string[], host: HostFacts, hostName: HostName): void {
  for (const flag of ['-nodefaults', '-no-user-config', '-S', '-no-shutdown']) assert.ok(args.includes(flag), `${flag} missing`);
  assert.equal(single(args, '-display'), 'none');
  const paths = pathsFor(host.os);
  assert.equal(single(args, '-pidfile'), paths.pidFile);
  // The helper detaches QEMU and collects its stderr itself: no -daemonize, no -D anywhere.
  assert.equal(args.includes('-daemonize'), false, 'QEMU never daemonizes itself');
  assert.equal(valuesOf(args, '-D').length, 0);
  const sandbox = valuesOf(args, '-sandbox');
  assert.deepEqual(sandbox, hostName === 'linux-x64-kvm' ? ['on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny'] : []);
  const qmp = valuesOf(args, '-chardev').map((c) => parseQemuOptsUnique(c, 'backend')).find((c) => c.id === 'qmp');
  assert.ok(qmp, 'QMP chardev missing');
  if (host.os === 'win32') {
    // A named pipe of this run: \\.\pipe\openutm-<vm>-<run>-qmp, no port a guest can reach.
    assert.deepEqual(qmp, { backend: 'pipe', id: 'qmp', path: `openutm-${VM_ID}-${WIN_RUN}-qmp` });
  } else {
    assert.deepEqual(qmp, { backend: 'socket', id: 'qmp', path: socketPath(paths.qmp), server: 'on', wait: 'off' });
  }
  assert.deepEqual(valuesOf(args, '-mon'), ['chardev=qmp,mode=control']);
  assert.deepEqual(valuesOf(args, '-serial'), ['chardev:serial0']);
  const name = parseQemuOptsUnique(single(args, '-name'), 'guest');
  assert.deepEqual(Object.keys(name), host.os === 'linux' ? ['guest', 'process', 'debug-threads'] : ['guest']);
}

for (const [hostName, host] of Object.entries(HOSTS) as Array<[HostName, HostFacts]>) {
  describe(`every preset on ${hostName}`, () => {
    for (const preset of Object.keys(PRESETS) as OsPreset[]) {
      const expect = PRESET_EXPECT[preset];

      it(`${preset} (x86_64 guest)`, () => {
        const config = presetConfig(preset, (c) => c, { iso: '/isos/install.iso' });
        const { args, accelerator, firmware, warnings, binary } = buildQemuArgs(config, host, pathsFor(host.os), optionsFor(host.os));
        const spice = host.qemu.find((b) => b.architecture === 'x86_64')!.spice;
        assertCommon(args, host, hostName);
        assert.equal(binary, host.qemu.find((b) => b.architecture === 'x86_64')!.path);

        const accel = ACCEL_EXPECT[hostName].x86_64;
        assert.equal(accelerator, accel.accel);
        assert.equal(single(args, '-accel'), accel.flag);
        const cpu = single(args, '-cpu').split(',')[0];
        assert.equal(cpu, accel.accel === 'kvm' || accel.accel === 'hvf' ? 'host' : 'max');
        assert.equal(warnings.some((w) => w.includes('emulated (TCG)')), accel.accel === 'tcg');

        const machine = parseQemuOptsUnique(single(args, '-machine'), 'type');
        assert.equal(machine.type, expect.machine);
        assert.equal(machine.pflash0 !== undefined, expect.uefi);
        assert.equal(machine.smm, expect.secureBoot ? 'on' : undefined);
        assert.equal(firmware !== null, expect.uefi);
        const blockdevs = valuesOf(args, '-blockdev').map((b) => JSON.parse(b) as { 'node-name': string; file: { filename: string } });
        if (firmware) {
          const code = blockdevs.find((b) => b['node-name'] === machine.pflash0);
          const vars = blockdevs.find((b) => b['node-name'] === machine.pflash1);
          const chosen = host.firmware.find((f) => f.architecture === 'x86_64' && f.secureBoot === expect.secureBoot)!;
          assert.equal(code?.file.filename, chosen.code);
          assert.equal(vars?.file.filename, optionsFor(host.os).efiVarsPath);
          assert.equal(firmware.varsTemplate, chosen.vars);
        }
        assert.equal(valuesOf(args, '-global').includes('driver=cfi.pflash01,property=secure,value=on'), expect.secureBoot);

        const drivers = deviceDrivers(args);
        for (const d of [expect.disk, expect.cd, expect.nic, spice ? expect.video : expect.videoNoSpice, 'usb-tablet', 'qemu-xhci']) {
          assert.ok(drivers.includes(d), `${d} missing from ${drivers.join(' ')}`);
        }
        assert.equal(drivers.includes('usb-kbd'), false, 'x86 has a PS/2 keyboard');
        if (expect.sound) assert.ok(drivers.includes(expect.sound), `${expect.sound} missing`);
        else assert.equal(valuesOf(args, '-audiodev').length, 0);
        assert.equal(drivers.includes('tpm-crb'), expect.tpm);
        assert.equal(valuesOf(args, '-rtc').includes('base=localtime'), expect.localtime);

        // The CD with the ISO boots first; the disk follows.
        const cd = valuesOf(args, '-device').map((d) => parseQemuOptsUnique(d, 'driver')).find((d) => d.id === 'cd0');
        const disk = valuesOf(args, '-device').map((d) => parseQemuOptsUnique(d, 'driver')).find((d) => d.id === 'disk0');
        assert.equal(cd?.bootindex, '1');
        assert.equal(disk?.bootindex, '2');

        // The console: SPICE on a unix socket, or loopback TCP on Windows; VNC without SPICE.
        if (spice) {
          const s = parseQemuOptsUnique(single(args, '-spice'));
          if (host.os === 'win32') assert.deepEqual(s, { port: '50102', addr: '127.0.0.1', 'password-secret': 'display_password', 'image-compression': 'off' });
          else assert.deepEqual(s, { unix: 'on', addr: socketPath(pathsFor(host.os).spice), 'disable-ticketing': 'on', 'image-compression': 'off' });
          assert.ok(drivers.includes('virtserialport'), 'no SPICE agent port');
          assert.ok(valuesOf(args, '-chardev').includes('spicevmc,id=vdagent,name=vdagent'), 'no SPICE agent chardev');
        } else {
          assert.equal(valuesOf(args, '-spice').length, 0);
          const v = parseQemuOptsUnique(single(args, '-vnc'), 'vnc');
          assert.deepEqual(v, { vnc: `unix:${socketPath(pathsFor(host.os).vnc)}` });
          assert.ok(warnings.some((w) => w.includes('without SPICE')), 'no VNC fallback warning');
          assert.equal(valuesOf(args, '-chardev').some((c) => c.startsWith('spicevmc')), false);
        }
      });

      it(`${preset} (aarch64 guest)`, () => {
        // No Secure Boot: Homebrew and Windows QEMU ship no aarch64 Secure Boot variables.
        const config = presetConfig(preset, (c) => asAarch64({ ...c, system: { ...c.system, secureBoot: false } }));
        const { args, accelerator, firmware, warnings } = buildQemuArgs(config, host, pathsFor(host.os), optionsFor(host.os));
        assertCommon(args, host, hostName);
        const accel = ACCEL_EXPECT[hostName].aarch64;
        assert.equal(accelerator, accel.accel);
        assert.equal(single(args, '-accel'), accel.flag);
        assert.equal(warnings.some((w) => w.includes('emulated (TCG) on a x64 host')), accel.accel === 'tcg');
        assert.deepEqual(parseQemuOptsUnique(single(args, '-machine'), 'type'), { type: 'virt', 'gic-version': 'max', pflash0: 'fw-code', pflash1: 'fw-vars' });
        assert.equal(firmware?.code, host.firmware.find((f) => f.architecture === 'aarch64')!.code, 'aarch64 always boots UEFI');
        const drivers = deviceDrivers(args);
        for (const d of ['qemu-xhci', 'usb-kbd', 'usb-tablet']) assert.ok(drivers.includes(d), `${d} missing`);
        const video = preset.startsWith('windows') ? 'ramfb' : 'virtio-gpu-pci';
        assert.ok(drivers.includes(video), `${video} missing from ${drivers.join(' ')}`);
        for (const x86Only of ['VGA', 'qxl-vga', 'virtio-vga', 'tpm-crb']) assert.equal(drivers.includes(x86Only), false, `${x86Only} on aarch64`);
        assert.equal(drivers.includes('tpm-tis-device'), expectsTpm(preset));
      });
    }
  });
}

function expectsTpm(preset: OsPreset): boolean {
  return PRESET_EXPECT[preset].tpm;
}

describe('boot order', () => {
  const host = HOSTS['linux-x64-kvm'];
  const bootOf = (args: string[], id: string) =>
    valuesOf(args, '-device').map((d) => parseQemuOptsUnique(d, 'driver')).find((d) => d.id === id)?.bootindex;

  it('auto boots the disk first when the CD drive is empty', () => {
    const { args } = buildQemuArgs(presetConfig('linux-server'), host, pathsFor('linux'), optionsFor('linux'));
    assert.equal(bootOf(args, 'disk0'), '1');
    assert.equal(bootOf(args, 'cd0'), '2');
    // An empty drive has a device but no block node, so media can be inserted later.
    const cd = valuesOf(args, '-device').find((d) => d.includes('id=cd0'));
    assert.equal(cd, 'ide-cd,id=cd0,bus=ide.0,bootindex=2');
  });

  it("'disk' keeps the disk first even with an ISO inserted", () => {
    const config = presetConfig('linux-server', (c) => ({ ...c, boot: 'disk' }), { iso: '/isos/a.iso' });
    const { args } = buildQemuArgs(config, host, pathsFor('linux'), optionsFor('linux'));
    assert.equal(bootOf(args, 'disk0'), '1');
    assert.equal(bootOf(args, 'cd0'), '2');
  });

  it("'cdrom' boots the CD first even when it is empty", () => {
    const config = presetConfig('linux-server', (c) => ({ ...c, boot: 'cdrom' }));
    const { args } = buildQemuArgs(config, host, pathsFor('linux'), optionsFor('linux'));
    assert.equal(bootOf(args, 'cd0'), '1');
  });
});
