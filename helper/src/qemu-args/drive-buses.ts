import { OpenUtmError } from '@openutm/shared';
import type { BuildContext } from './build-context';
import { busOf, DEVICE_ID } from './device-ids';
import { optionString, type QemuOption } from './option-string';

// Where one ide-hd/ide-cd plugs in: an AHCI port (one device each) or a PATA channel + unit.
export interface IdeSlot {
  bus: string;
  unit?: number;
}

export interface DriveBuses {
  // Controllers the machine lacks but the drives need, to be added before the drives.
  controllers: QemuOption[];
  // By config id, for every disk and removable drive on an 'ide' or 'sata' interface.
  ideSlots: Map<string, IdeSlot>;
  // The virtio-scsi bus, when a drive is on 'scsi'.
  scsiBus: string | null;
}

const AHCI_PORTS = 6;
// Masters first: some old systems do not look at slave units at all.
const PIIX_SLOTS: IdeSlot[] = [
  { bus: 'ide.0', unit: 0 },
  { bus: 'ide.1', unit: 0 },
  { bus: 'ide.0', unit: 1 },
  { bus: 'ide.1', unit: 1 },
];

// Plans the IDE/SATA/SCSI buses. q35 has a 6-port AHCI built in (buses ide.0 … ide.5), so 'ide'
// and 'sata' both land there; 'pc' has a PIIX PATA controller (two channels, master and slave)
// and gets an AHCI controller only for 'sata'; aarch64 'virt' has neither and gets an AHCI
// controller for both.
export function planDriveBuses(ctx: BuildContext): DriveBuses {
  const wanting = [
    ...ctx.config.disks.map((d) => ({ id: d.id, iface: d.interface })),
    ...ctx.config.removable.map((r) => ({ id: r.id, iface: r.interface })),
  ];
  const ideSlots = new Map<string, IdeSlot>();
  const controllers: QemuOption[] = [];
  let builtinAhci = 0;
  let addedAhci = 0;
  let piix = 0;
  for (const { id, iface } of wanting) {
    if (iface !== 'ide' && iface !== 'sata') continue;
    if (ctx.machine === 'q35') {
      if (builtinAhci >= AHCI_PORTS) throw tooMany('SATA/IDE', AHCI_PORTS);
      ideSlots.set(id, { bus: `ide.${builtinAhci++}` });
    } else if (ctx.machine === 'pc' && iface === 'ide') {
      const slot = PIIX_SLOTS[piix++];
      if (!slot) throw tooMany('IDE', PIIX_SLOTS.length);
      ideSlots.set(id, slot);
    } else {
      if (addedAhci >= AHCI_PORTS) throw tooMany('SATA', AHCI_PORTS);
      if (addedAhci === 0) controllers.push(['-device', optionString('ich9-ahci', { id: DEVICE_ID.ahci })]);
      ideSlots.set(id, { bus: busOf(DEVICE_ID.ahci, addedAhci++) });
    }
  }
  const wantsScsi = ctx.config.removable.some((r) => r.interface === 'scsi');
  if (wantsScsi) controllers.push(['-device', optionString('virtio-scsi-pci', { id: DEVICE_ID.scsi })]);
  return { controllers, ideSlots, scsiBus: wantsScsi ? busOf(DEVICE_ID.scsi) : null };
}

function tooMany(kind: string, max: number): OpenUtmError {
  return new OpenUtmError('CONFIG_INVALID', `this machine takes at most ${max} ${kind} drives; move some disks to virtio or NVMe`);
}
