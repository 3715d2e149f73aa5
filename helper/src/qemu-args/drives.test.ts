import { ZodError } from 'zod';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiskConfig, RemovableMedia, VmConfig } from '@openutm/shared';
import { buildQemuArgs } from './build-qemu-args';
import { HOSTS } from './testing/host-fixtures';
import { parseQemuOptsUnique, valuesOf } from './testing/parse-qemu-opts';
import { asAarch64, optionsFor, pathsFor, presetConfig } from './testing/vm-fixtures';

const codeOf = (e: unknown) => (e as { code?: string }).code;

function disk(id: string, iface: DiskConfig['interface'], extra: Partial<DiskConfig> = {}): DiskConfig {
  return { id, file: `${id}.qcow2`, format: 'qcow2', sizeMiB: 1024, interface: iface, readOnly: false, ...extra };
}

function cd(id: string, iface: RemovableMedia['interface'], iso: string | null = null): RemovableMedia {
  return { id, iso, interface: iface };
}

function build(edit: (c: VmConfig) => VmConfig, preset: 'linux-server' | 'other' = 'linux-server') {
  return buildQemuArgs(presetConfig(preset, edit), HOSTS['linux-x64-kvm'], pathsFor('linux'), optionsFor('linux'));
}

function devices(args: string[]): Array<Record<string, string>> {
  return valuesOf(args, '-device').map((d) => parseQemuOptsUnique(d, 'driver'));
}

function blockdevs(args: string[]): Array<Record<string, unknown>> {
  return valuesOf(args, '-blockdev').map((b) => JSON.parse(b) as Record<string, unknown>);
}

describe('disks', () => {
  it('state their format, and a read-only disk is read-only on both nodes without discard', () => {
    const { args } = build((c) => ({ ...c, disks: [disk('sys', 'virtio'), disk('data', 'virtio', { format: 'raw', file: 'data.img', readOnly: true })] }));
    const [sys, data] = blockdevs(args).filter((b) => String(b['node-name']).startsWith('disk'));
    assert.equal(sys?.driver, 'qcow2');
    assert.equal(sys?.discard, 'unmap');
    assert.equal(sys?.['detect-zeroes'], 'unmap');
    assert.deepEqual(data, {
      driver: 'raw',
      'node-name': 'disk1',
      'read-only': true,
      file: { driver: 'file', 'node-name': 'disk1-file', filename: `${optionsFor('linux').vmFolder}/data.img`, 'read-only': true, cache: { direct: false, 'no-flush': false } },
    });
  });

  it('each interface gets its device, with the config id as device id', () => {
    const { args } = build((c) => ({
      ...c,
      disks: [disk('a', 'virtio'), disk('b', 'nvme'), disk('c', 'sata'), disk('d', 'usb'), disk('a-very-long-disk-id-over-20', 'nvme')],
    }));
    const byId = new Map(devices(args).map((d) => [d.id, d]));
    assert.deepEqual(byId.get('a'), { driver: 'virtio-blk-pci', id: 'a', drive: 'disk0', serial: 'a', bootindex: '1' });
    assert.deepEqual(byId.get('b'), { driver: 'nvme', id: 'b', drive: 'disk1', serial: 'b', bootindex: '2' });
    assert.deepEqual(byId.get('c'), { driver: 'ide-hd', id: 'c', bus: 'ide.0', drive: 'disk2', bootindex: '3' });
    assert.deepEqual(byId.get('d'), { driver: 'usb-storage', id: 'd', bus: 'usb_xhci.0', drive: 'disk3', removable: 'off', bootindex: '4' });
    assert.equal(byId.get('a-very-long-disk-id-over-20')?.serial, 'a-very-long-disk-id-');
    // The USB controller comes before the USB disk that plugs into it.
    assert.ok(args.indexOf('qemu-xhci,id=usb_xhci') < args.findIndex((a) => a.startsWith('usb-storage')), 'controller after device');
  });
});

describe('drive buses', () => {
  it('q35 puts IDE and SATA drives on its built-in AHCI ports, up to six', () => {
    const { args } = build((c) => ({ ...c, disks: [disk('a', 'sata'), disk('b', 'ide')], removable: [cd('cd0', 'sata')] }));
    assert.deepEqual(devices(args).filter((d) => d.driver?.startsWith('ide-')).map((d) => d.bus), ['ide.0', 'ide.1', 'ide.2']);
    assert.equal(devices(args).some((d) => d.driver === 'ich9-ahci'), false);
    assert.throws(
      () => build((c) => ({ ...c, disks: ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => disk(id, 'sata')), removable: [cd('cd0', 'sata')] })),
      (e: unknown) => codeOf(e) === 'CONFIG_INVALID' && /at most 6/.test((e as Error).message),
    );
  });

  it("'pc' uses the PIIX channels (masters first), and adds an AHCI controller only for SATA", () => {
    const { args } = build((c) => ({ ...c, disks: [disk('a', 'ide'), disk('b', 'sata')], removable: [cd('cd0', 'ide')] }), 'other');
    const byId = new Map(devices(args).map((d) => [d.id, d]));
    assert.deepEqual([byId.get('a')?.bus, byId.get('a')?.unit], ['ide.0', '0']);
    assert.deepEqual([byId.get('cd0')?.bus, byId.get('cd0')?.unit], ['ide.1', '0']);
    assert.equal(byId.get('b')?.bus, 'ahci_0.0');
    assert.ok(byId.has('ahci_0'), 'ich9-ahci missing');
  });

  it('aarch64 virt gets an AHCI controller for SATA/IDE drives', () => {
    const { args } = build((c) => asAarch64({ ...c, system: { ...c.system, secureBoot: false }, removable: [cd('cd0', 'sata', '/i.iso')] }));
    const byId = new Map(devices(args).map((d) => [d.id, d]));
    assert.equal(byId.get('ahci_0')?.driver, 'ich9-ahci');
    assert.equal(byId.get('cd0')?.bus, 'ahci_0.0');
  });
});

describe('removable media', () => {
  it('SCSI and USB CD drives work empty and full, under the config id', () => {
    const { args } = build((c) => ({ ...c, removable: [cd('cd0', 'scsi'), cd('cd1', 'usb', '/isos/a.iso')] }));
    const byId = new Map(devices(args).map((d) => [d.id, d]));
    assert.equal(byId.get('scsi_0')?.driver, 'virtio-scsi-pci');
    assert.deepEqual(byId.get('cd0'), { driver: 'scsi-cd', id: 'cd0', bus: 'scsi_0.0', bootindex: '2' }, 'the empty drive boots after the one with a disc');
    assert.equal(byId.get('disk0')?.bootindex, '3');
    assert.deepEqual(byId.get('usb_cd_1'), { driver: 'usb-bot', id: 'usb_cd_1', bus: 'usb_xhci.0' });
    assert.deepEqual(byId.get('cd1'), { driver: 'scsi-cd', id: 'cd1', bus: 'usb_cd_1.0', drive: 'media1', bootindex: '1' });
    const media = blockdevs(args).find((b) => b['node-name'] === 'media1');
    assert.deepEqual(media, { driver: 'raw', 'node-name': 'media1', 'read-only': true, file: { driver: 'file', 'node-name': 'media1-file', filename: '/isos/a.iso', 'read-only': true } });
  });

  it('drive ids must be QEMU ids and distinct across disks and drives', () => {
    // The config schema refuses these first; the builder refuses them again for hand-made configs.
    const refused = (e: unknown) => e instanceof ZodError || codeOf(e) === 'CONFIG_INVALID';
    assert.throws(() => build((c) => ({ ...c, removable: [cd('0cd', 'sata')] })), refused);
    assert.throws(() => build((c) => ({ ...c, removable: [cd('disk0', 'sata')] })), refused);
  });
});

describe('direct kernel boot', () => {
  it('is absent without linuxBoot, and leaves out -initrd/-append when empty', () => {
    assert.equal(build((c) => c).args.includes('-kernel'), false);
    const { args } = build((c) => ({ ...c, linuxBoot: { kernel: '/k/vmlinuz', initrd: null, cmdline: '' } }));
    assert.deepEqual(valuesOf(args, '-kernel'), ['/k/vmlinuz']);
    assert.equal(args.includes('-initrd') || args.includes('-append'), false);
  });
});

describe('try mode', () => {
  function buildTry(disks: DiskConfig[], tryOverlays: Record<string, string>, vmFolder = optionsFor('linux').vmFolder) {
    const { args } = buildQemuArgs(presetConfig('linux-server', (c) => ({ ...c, disks })), HOSTS['linux-x64-kvm'], pathsFor('linux'), {
      ...optionsFor('linux'),
      vmFolder,
      tryOverlays,
    });
    return blockdevs(args).filter((b) => String(b['node-name']).startsWith('disk'));
  }
  const fileOf = (b: Record<string, unknown> | undefined) => (b?.file as { filename?: string } | undefined)?.filename;

  const cases: Array<{ name: string; disks: DiskConfig[]; overlays: Record<string, string>; folder?: string; want: Array<{ driver: string; file: string; readOnly: boolean }> }> = [
    {
      name: 'a raw and a qcow2 disk both run on qcow2 overlays',
      disks: [disk('sys', 'virtio'), disk('data', 'nvme', { format: 'raw', file: 'data.img' })],
      overlays: { sys: 'try-sys.qcow2', data: 'try-data.qcow2' },
      want: [
        { driver: 'qcow2', file: 'try-sys.qcow2', readOnly: false },
        { driver: 'qcow2', file: 'try-data.qcow2', readOnly: false },
      ],
    },
    {
      name: 'a read-only disk keeps its own file even if an overlay is named for it',
      disks: [disk('sys', 'virtio'), disk('ro', 'virtio', { format: 'raw', file: 'ro.img', readOnly: true })],
      overlays: { sys: 'try-sys.qcow2', ro: 'try-ro.qcow2' },
      want: [
        { driver: 'qcow2', file: 'try-sys.qcow2', readOnly: false },
        { driver: 'raw', file: 'ro.img', readOnly: true },
      ],
    },
    {
      name: 'without overlays (a normal start) the disks are used as they are',
      disks: [disk('sys', 'virtio', { format: 'raw', file: 'sys.img' })],
      overlays: {},
      want: [{ driver: 'raw', file: 'sys.img', readOnly: false }],
    },
    {
      name: 'commas, spaces and unicode in the library path reach QEMU verbatim (JSON needs no comma doubling)',
      disks: [disk('sys', 'virtio')],
      overlays: { sys: 'try-sys.qcow2' },
      folder: '/home/ü ser/VMs, mine/0b1c',
      want: [{ driver: 'qcow2', file: 'try-sys.qcow2', readOnly: false }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const folder = c.folder ?? optionsFor('linux').vmFolder;
      const nodes = buildTry(c.disks, c.overlays, folder);
      assert.deepEqual(
        nodes.map((n) => ({ driver: n.driver, file: fileOf(n), readOnly: n['read-only'] })),
        c.want.map((w) => ({ driver: w.driver, file: `${folder}/${w.file}`, readOnly: w.readOnly })),
      );
    });
  }
});
