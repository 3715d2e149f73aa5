import { ZodError } from 'zod';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostFacts, VmConfig } from '@openutm/shared';
import { buildQemuArgs } from './build-qemu-args';
import type { BuildOptions } from './build-context';
import { macAddressFor } from './network';
import { vmUuid } from './process-options';
import { HOSTS } from './testing/host-fixtures';
import { parseQemuOpts, parseQemuOptsUnique, valuesOf } from './testing/parse-qemu-opts';
import { optionsFor, pathsFor, presetConfig, socketPath } from './testing/vm-fixtures';

type Preset = 'linux-server' | 'linux-desktop' | 'windows-10' | 'windows-11' | 'other';
const codeOf = (e: unknown) => (e as { code?: string }).code;

function build(edit: (c: VmConfig) => VmConfig, opts: { preset?: Preset; host?: HostFacts; extra?: Partial<BuildOptions> } = {}) {
  const host = opts.host ?? HOSTS['linux-x64-kvm'];
  return buildQemuArgs(presetConfig(opts.preset ?? 'linux-server', edit), host, pathsFor(host.os), optionsFor(host.os, opts.extra));
}

function drivers(args: string[]): string[] {
  return valuesOf(args, '-device').map((d) => parseQemuOpts(d, 'driver')[0]![1]);
}

describe('network', () => {
  it('user networking forwards IPv4 ports and gives the NIC a stable MAC and no option ROM', () => {
    const { args } = build((c) => ({
      ...c,
      network: {
        ...c.network,
        portForwards: [
          { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 },
          { protocol: 'udp', hostAddress: '0.0.0.0', hostPort: 5353, guestPort: 53 },
        ],
      },
    }));
    assert.deepEqual(parseQemuOpts(valuesOf(args, '-netdev')[0]!, 'type'), [
      ['type', 'user'],
      ['id', 'net0'],
      ['hostfwd', 'tcp:127.0.0.1:2222-:22'],
      ['hostfwd', 'udp:0.0.0.0:5353-:53'],
    ]);
    const nic = parseQemuOptsUnique(valuesOf(args, '-device').find((d) => d.includes('netdev='))!, 'driver');
    assert.deepEqual(nic, { driver: 'virtio-net-pci', id: 'nic_0', netdev: 'net0', mac: nic.mac!, romfile: '' });
    assert.match(nic.mac!, /^52:54:00(:[0-9a-f]{2}){3}$/);
  });

  it('the derived MAC is stable per VM and differs between VMs; an explicit MAC wins', () => {
    const a = presetConfig('linux-server');
    assert.equal(macAddressFor(a), macAddressFor(presetConfig('linux-server')));
    assert.notEqual(macAddressFor(a), macAddressFor({ ...a, id: 'zzzzzz99' }));
    assert.equal(macAddressFor({ ...a, network: { ...a.network, mac: '52:54:00:aa:bb:cc' } }), '52:54:00:aa:bb:cc');
  });

  it("'none' has no netdev and no NIC", () => {
    const { args } = build((c) => ({ ...c, network: { ...c.network, mode: 'none' } }));
    assert.equal(args.includes('-netdev'), false);
    assert.equal(drivers(args).includes('virtio-net-pci'), false);
  });

  it('refuses IPv6 host addresses (QEMU 7.2 cannot forward them) and duplicate host ports', () => {
    assert.throws(
      () => build((c) => ({ ...c, network: { ...c.network, portForwards: [{ protocol: 'tcp', hostAddress: '::1', hostPort: 2222, guestPort: 22 }] } })),
      // The config schema refuses it first; the builder refuses it again for hand-made configs.
      (e: unknown) => e instanceof ZodError || (codeOf(e) === 'CONFIG_INVALID' && /IPv4/.test((e as Error).message)),
    );
    const twice = { protocol: 'tcp' as const, hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 };
    assert.throws(
      () => build((c) => ({ ...c, network: { ...c.network, portForwards: [twice, { ...twice, guestPort: 23 }] } })),
      (e: unknown) => codeOf(e) === 'CONFIG_INVALID',
    );
  });
});

describe('display on Windows hosts (loopback TCP)', () => {
  const win = HOSTS['win32-x64-whpx'];

  it('SPICE keeps ticketing on and reads the password from a file, never from the command line', () => {
    const { args } = build((c) => c, { host: win });
    const secret = JSON.parse(valuesOf(args, '-object')[0]!) as Record<string, string>;
    assert.deepEqual(secret, { 'qom-type': 'secret', id: 'display_password', file: pathsFor('win32').displayPassword, format: 'raw' });
    assert.ok(pathsFor('win32').displayPassword.endsWith('\\display-password'), pathsFor('win32').displayPassword);
    assert.deepEqual(parseQemuOptsUnique(valuesOf(args, '-spice')[0]!), {
      port: '50102',
      addr: '127.0.0.1',
      'password-secret': 'display_password',
      'image-compression': 'off',
    });
    assert.equal(parseQemuOptsUnique(valuesOf(args, '-spice')[0]!)['disable-ticketing'], undefined);
  });

  it('VNC listens on loopback with the password file, and warns that VNC checks only 8 characters', () => {
    const host: HostFacts = { ...win, qemu: win.qemu.map((b) => ({ ...b, spice: false })) };
    const { args, warnings } = build((c) => c, { host });
    assert.deepEqual(parseQemuOptsUnique(valuesOf(args, '-vnc')[0]!, 'vnc'), { vnc: '127.0.0.1:11', 'password-secret': 'display_password' });
    assert.equal((JSON.parse(valuesOf(args, '-object')[0]!) as { file: string }).file, pathsFor('win32').displayPassword);
    assert.ok(warnings.some((w) => w.includes('8 characters')), warnings.join('\n'));
  });

  it('unix-socket displays have no password at all', () => {
    const { args, warnings } = build((c) => c, { host: HOSTS['linux-x64-kvm'] });
    assert.equal(args.some((a) => a.includes('display_password')), false);
    assert.equal(warnings.some((w) => w.includes('8 characters')), false);
  });

  it('refuses a VNC port below 5900, which QEMU cannot express', () => {
    const paths = { ...pathsFor('win32'), vnc: { kind: 'tcp' as const, host: '127.0.0.1' as const, port: 5800 } };
    const host: HostFacts = { ...win, qemu: win.qemu.map((b) => ({ ...b, spice: false })) };
    assert.throws(() => buildQemuArgs(presetConfig('linux-server'), host, paths, optionsFor('win32')), (e: unknown) => codeOf(e) === 'INTERNAL');
  });
});

describe('display device and agents', () => {
  it("display 'none' has no adapter, no SPICE/VNC and no SPICE agent, but keeps the serial console", () => {
    const { args } = build((c) => ({ ...c, display: { ...c.display, type: 'none' } }));
    assert.equal(args.includes('-spice') || args.includes('-vnc'), false);
    assert.equal(drivers(args).includes('virtio-vga'), false);
    assert.equal(valuesOf(args, '-chardev').some((c) => c.startsWith('spicevmc')), false);
    assert.deepEqual(valuesOf(args, '-display'), ['none']);
    assert.deepEqual(valuesOf(args, '-serial'), ['chardev:serial0']);
  });

  it('qxl-vga falls back to VGA on a QEMU without SPICE, with a warning', () => {
    const built = build((c) => c, { preset: 'windows-10', host: HOSTS['darwin-x64-hvf'] });
    assert.ok(drivers(built.args).includes('VGA'), 'no VGA');
    assert.ok(built.warnings.some((w) => w.includes('no QXL adapter')), built.warnings.join('; '));
  });

  it('without agents there is no virtio-serial bus at all', () => {
    const { args } = build((c) => ({ ...c, sharing: { spiceAgent: false, guestAgent: false } }));
    assert.equal(drivers(args).includes('virtio-serial-pci'), false);
    assert.equal(drivers(args).includes('virtserialport'), false);
  });

  it('the guest agent gets its socket and the well-known port name', () => {
    const { args } = build((c) => ({ ...c, sharing: { spiceAgent: false, guestAgent: true } }));
    const port = valuesOf(args, '-device').map((d) => parseQemuOptsUnique(d, 'driver')).find((d) => d.driver === 'virtserialport');
    assert.deepEqual(port, { driver: 'virtserialport', id: 'qga_port', bus: 'virtio_serial.0', chardev: 'qga0', name: 'org.qemu.guest_agent.0' });
  });

  it('Windows (loopback TCP endpoints): no guest agent channel, which anyone local could reach, and a warning saying so', () => {
    const built = build((c) => ({ ...c, sharing: { spiceAgent: false, guestAgent: true } }), { host: HOSTS['win32-x64-whpx'] });
    assert.equal(drivers(built.args).includes('virtserialport'), false);
    assert.ok(!valuesOf(built.args, '-chardev').some((c) => c.includes('qga0')));
    assert.ok(built.warnings.some((w) => /guest agent channel is left out/.test(w)), built.warnings.join('; '));
    const withSpice = build((c) => ({ ...c, sharing: { spiceAgent: true, guestAgent: true } }), { preset: 'windows-10', host: HOSTS['win32-x64-whpx'] });
    assert.ok(valuesOf(withSpice.args, '-chardev').some((c) => c.startsWith('spicevmc')), 'the SPICE agent stays: it rides inside the password-protected SPICE session');
  });

  // Who answers the guest's SPICE agent: the SPICE server for SPICE consoles, QEMU's own
  // vdagent (clipboard on, mouse off) for VNC ones, nobody without a display or without it.
  const vdagentPort = { driver: 'virtserialport', id: 'vdagent_port', bus: 'virtio_serial.0', chardev: 'vdagent', name: 'com.redhat.spice.0' };
  const agentHosts: Array<{ name: string; display: 'spice' | 'vnc' | 'none'; spiceAgent: boolean; guestAgent: boolean; host?: HostFacts; chardev: Record<string, string> | null; serialBus: boolean }> = [
    { name: 'SPICE display', display: 'spice', spiceAgent: true, guestAgent: false, chardev: { backend: 'spicevmc', id: 'vdagent', name: 'vdagent' }, serialBus: true },
    { name: 'VNC display', display: 'vnc', spiceAgent: true, guestAgent: false, chardev: { backend: 'qemu-vdagent', id: 'vdagent', name: 'vdagent', clipboard: 'on', mouse: 'off' }, serialBus: true },
    { name: 'VNC display beside the guest agent', display: 'vnc', spiceAgent: true, guestAgent: true, chardev: { backend: 'qemu-vdagent', id: 'vdagent', name: 'vdagent', clipboard: 'on', mouse: 'off' }, serialBus: true },
    { name: 'SPICE asked of a QEMU without SPICE (VNC)', display: 'spice', spiceAgent: true, guestAgent: false, host: HOSTS['darwin-arm64-hvf'], chardev: { backend: 'qemu-vdagent', id: 'vdagent', name: 'vdagent', clipboard: 'on', mouse: 'off' }, serialBus: true },
    { name: 'VNC display, SPICE agent turned off', display: 'vnc', spiceAgent: false, guestAgent: false, chardev: null, serialBus: false },
    { name: 'no display', display: 'none', spiceAgent: true, guestAgent: false, chardev: null, serialBus: false },
    {
      name: 'VNC display on a QEMU without qemu-vdagent',
      display: 'vnc',
      spiceAgent: true,
      guestAgent: false,
      host: { ...HOSTS['linux-x64-kvm'], qemu: HOSTS['linux-x64-kvm'].qemu.map((b) => ({ ...b, vdagent: false })) },
      chardev: null,
      serialBus: false,
    },
  ];
  for (const t of agentHosts) {
    it(`SPICE agent channel, ${t.name}: ${t.chardev?.backend ?? 'none'}`, () => {
      const { args } = build((c) => ({ ...c, display: { ...c.display, type: t.display }, sharing: { spiceAgent: t.spiceAgent, guestAgent: t.guestAgent } }), t.host ? { host: t.host } : {});
      const chardevs = valuesOf(args, '-chardev').map((c) => parseQemuOptsUnique(c, 'backend')).filter((c) => c.id === 'vdagent');
      assert.deepEqual(chardevs, t.chardev ? [t.chardev] : []);
      const ports = valuesOf(args, '-device').map((d) => parseQemuOptsUnique(d, 'driver')).filter((d) => d.name === 'com.redhat.spice.0');
      assert.deepEqual(ports, t.chardev ? [vdagentPort] : []);
      // One virtio-serial bus, added before the ports that plug into it.
      const devices = drivers(args);
      assert.equal(devices.filter((d) => d === 'virtio-serial-pci').length, t.serialBus || t.guestAgent ? 1 : 0);
      if (t.chardev) assert.ok(devices.indexOf('virtio-serial-pci') < devices.indexOf('virtserialport'), devices.join(' '));
    });
  }

  it('a VNC VM on a QEMU without qemu-vdagent says its console will not share the clipboard', () => {
    const host: HostFacts = { ...HOSTS['linux-x64-kvm'], qemu: HOSTS['linux-x64-kvm'].qemu.map((b) => ({ ...b, vdagent: false })) };
    const built = build((c) => ({ ...c, display: { ...c.display, type: 'vnc' } }), { host });
    assert.ok(built.warnings.some((w) => /no qemu-vdagent/.test(w) && /clipboard/.test(w)), built.warnings.join('; '));
    const withIt = build((c) => ({ ...c, display: { ...c.display, type: 'vnc' } }));
    assert.equal(withIt.warnings.some((w) => /qemu-vdagent/.test(w)), false);
  });

  it('no USB controller when nothing needs USB on x86', () => {
    const { args } = build((c) => ({ ...c, input: { usbTablet: false } }));
    assert.equal(drivers(args).includes('qemu-xhci'), false);
  });
});

describe('sound', () => {
  // The backend follows the display: SPICE carries the sound to the console page; VNC and no
  // display have nowhere to send it. A QEMU without SPICE turns a SPICE display into VNC.
  const backends: { name: string; display: 'spice' | 'vnc' | 'none'; host?: HostFacts; backend: string }[] = [
    { name: 'SPICE display', display: 'spice', backend: 'spice,id=snd0' },
    { name: 'VNC display', display: 'vnc', backend: 'none,id=snd0' },
    { name: 'no display', display: 'none', backend: 'none,id=snd0' },
    { name: 'SPICE asked of a QEMU without SPICE', display: 'spice', host: HOSTS['darwin-arm64-hvf'], backend: 'none,id=snd0' },
  ];
  for (const t of backends) {
    it(`${t.name}: an HDA card gets a codec on its bus, fed by ${t.backend}`, () => {
      const { args } = build((c) => ({ ...c, display: { ...c.display, type: t.display } }), { preset: 'linux-desktop', ...(t.host ? { host: t.host } : {}) });
      assert.deepEqual(valuesOf(args, '-audiodev'), [t.backend]);
      assert.ok(valuesOf(args, '-device').includes('hda-duplex,id=sound_0_codec,bus=sound_0.0,audiodev=snd0'), 'no codec');
    });
  }

  it('AC97 takes the backend directly', () => {
    const { args } = build((c) => ({ ...c, sound: { enabled: true, device: 'AC97' } }), { preset: 'other' });
    assert.ok(valuesOf(args, '-device').includes('AC97,id=sound_0,audiodev=snd0'), 'no AC97');
    assert.deepEqual(valuesOf(args, '-audiodev'), ['spice,id=snd0']);
  });
});

describe('TPM and firmware', () => {
  it('a TPM without swtpm installed is an error that says what to install', () => {
    const host: HostFacts = { ...HOSTS['linux-x64-kvm'], swtpm: null };
    assert.throws(() => build((c) => c, { preset: 'windows-11', host }), (e: unknown) => codeOf(e) === 'CONFIG_INVALID' && /swtpm/.test((e as Error).message));
  });

  it('QEMU connects to swtpm (no server=on) on the tpm endpoint', () => {
    const { args } = build((c) => c, { preset: 'windows-11' });
    assert.deepEqual(parseQemuOptsUnique(valuesOf(args, '-chardev').find((c) => c.includes('chrtpm'))!, 'backend'), {
      backend: 'socket',
      id: 'chrtpm',
      path: socketPath(pathsFor('linux').tpm),
    });
    assert.deepEqual(valuesOf(args, '-tpmdev'), ['emulator,id=tpm0,chardev=chrtpm']);
  });

  it('missing UEFI firmware is FIRMWARE_NOT_FOUND with an install hint for the host', () => {
    const host: HostFacts = { ...HOSTS['linux-x64-kvm'], firmware: [] };
    assert.throws(() => build((c) => c, { host }), (e: unknown) => codeOf(e) === 'FIRMWARE_NOT_FOUND' && /ovmf/i.test((e as Error).message));
    const mac: HostFacts = { ...HOSTS['darwin-arm64-hvf'], firmware: [] };
    assert.throws(() => build((c) => c, { host: mac }), (e: unknown) => codeOf(e) === 'FIRMWARE_NOT_FOUND' && /brew/.test((e as Error).message));
  });

  it('Secure Boot picks the Secure Boot build, and is refused on the pc machine', () => {
    const built = build((c) => c, { preset: 'windows-11' });
    assert.equal(built.firmware?.code, '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd');
    assert.throws(
      () => build((c) => ({ ...c, system: { ...c.system, machine: 'pc' } }), { preset: 'windows-11' }),
      (e: unknown) => codeOf(e) === 'CONFIG_INVALID' && /q35/.test((e as Error).message),
    );
  });

  it('BIOS needs no firmware files, and Secure Boot with BIOS only warns', () => {
    const built = build((c) => ({ ...c, system: { ...c.system, firmware: 'bios', secureBoot: true } }), { host: { ...HOSTS['linux-x64-kvm'], firmware: [] } });
    assert.equal(built.firmware, null);
    assert.equal(built.args.includes('-global'), false);
    assert.ok(built.warnings.some((w) => w.includes('Secure Boot needs UEFI')), built.warnings.join('; '));
  });
});

describe('identity and host checks', () => {
  it('the SMBIOS UUID is a stable version-5 UUID per VM', () => {
    const config = presetConfig('linux-server');
    assert.match(vmUuid(config), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(vmUuid(config), vmUuid(presetConfig('linux-server')));
    assert.notEqual(vmUuid(config), vmUuid({ ...config, id: 'other123' }));
  });

  it('a missing QEMU binary for the architecture is QEMU_NOT_FOUND', () => {
    const host: HostFacts = { ...HOSTS['linux-x64-kvm'], qemu: [] };
    assert.throws(() => build((c) => c, { host }), (e: unknown) => codeOf(e) === 'QEMU_NOT_FOUND');
  });

  it("an x86_64 VM on the 'virt' machine is refused; a machine the binary lacks too", () => {
    assert.throws(() => build((c) => ({ ...c, system: { ...c.system, machine: 'virt' } })), (e: unknown) => codeOf(e) === 'CONFIG_INVALID');
    const host: HostFacts = { ...HOSTS['linux-x64-kvm'], qemu: HOSTS['linux-x64-kvm'].qemu.map((b) => ({ ...b, machines: ['pc'] })) };
    assert.throws(() => build((c) => c, { host }), (e: unknown) => codeOf(e) === 'CONFIG_INVALID');
  });

  it('warns when the VM asks for more CPUs or memory than the host has', () => {
    const built = build((c) => ({ ...c, system: { ...c.system, cpus: 64, memoryMiB: 65536 } }));
    assert.equal(built.warnings.filter((w) => /but the host only/.test(w)).length, 2);
    assert.deepEqual(valuesOf(built.args, '-smp'), ['cpus=64,sockets=1,cores=64,threads=1']);
    assert.deepEqual(valuesOf(built.args, '-m'), ['size=65536M']);
  });
});
