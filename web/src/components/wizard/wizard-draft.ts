import {
  PRESETS,
  type AcceleratorChoice,
  type Architecture,
  type DiskInterface,
  type DisplayConfig,
  type HostFacts,
  type NetworkConfig,
  type OsPreset,
  type VmCreateRequest,
} from '@openutm/shared';

import { forwardsFromDraft, wholeNumber as whole, type PortForwardDraft } from '../form/port-forward-draft';

export type { PortForwardDraft };

// The wizard's form as typed: numbers stay strings until checked, so "" and "12a" can be
// told apart from a number and named in the error.
export interface WizardDraft {
  name: string;
  preset: OsPreset;
  // '' is "no disc": the VM starts with an empty CD drive.
  isoPath: string;
  architecture: Architecture;
  accelerator: AcceleratorChoice;
  cpus: string;
  memoryMiB: string;
  firmware: 'bios' | 'uefi';
  tpm: boolean;
  secureBoot: boolean;
  diskEnabled: boolean;
  diskSizeGiB: string;
  diskInterface: DiskInterface;
  diskFormat: 'qcow2' | 'raw';
  networkMode: NetworkConfig['mode'];
  nic: NetworkConfig['nic'];
  portForwards: PortForwardDraft[];
  displayType: DisplayConfig['type'];
  displayDevice: DisplayConfig['device'];
}

// The host's own architecture when QEMU can run it, else the first QEMU that is installed.
export function defaultArchitecture(facts: HostFacts | null): Architecture {
  const native: Architecture = facts?.arch === 'arm64' ? 'aarch64' : 'x86_64';
  if (facts === null || facts.qemu.length === 0 || facts.qemu.some((q) => q.architecture === native)) return native;
  return facts.qemu[0]!.architecture;
}

// Memory for a new VM: the preset's, but never more than half of the host's, in 256 MiB steps.
export function defaultMemoryMiB(presetMiB: number, facts: HostFacts | null): number {
  if (facts === null) return presetMiB;
  const half = Math.max(256, Math.floor(facts.memoryMiB / 2 / 256) * 256);
  return Math.min(presetMiB, half);
}

// A draft from a preset and the host's facts; what the person already chose for name, disc and
// port forwards is kept when they switch the OS.
export function presetDraft(preset: OsPreset, facts: HostFacts | null, keep?: Pick<WizardDraft, 'name' | 'isoPath' | 'portForwards'>): WizardDraft {
  const p = PRESETS[preset];
  const cpus = p.system.cpus ?? 2;
  return {
    name: keep?.name ?? '',
    preset,
    isoPath: keep?.isoPath ?? '',
    architecture: defaultArchitecture(facts),
    accelerator: 'auto',
    cpus: String(facts === null ? cpus : Math.max(1, Math.min(cpus, facts.cpus))),
    memoryMiB: String(defaultMemoryMiB(p.system.memoryMiB ?? 2048, facts)),
    firmware: p.system.firmware ?? 'bios',
    tpm: p.system.tpm ?? false,
    secureBoot: p.system.secureBoot ?? false,
    diskEnabled: true,
    diskSizeGiB: String(p.diskSizeMiB / 1024),
    diskInterface: p.diskInterface,
    diskFormat: 'qcow2',
    networkMode: p.network.mode ?? 'user',
    nic: p.network.nic ?? 'virtio-net-pci',
    portForwards: keep?.portForwards ?? [],
    displayType: p.display.type ?? 'spice',
    displayDevice: p.display.device ?? 'default',
  };
}

// A VM name from an ISO's file name: "debian-12.5.0-amd64-netinst.iso" → "debian-12.5.0-amd64-netinst".
export function nameFromIso(isoPath: string): string {
  const base = isoPath.split(/[\\/]/).pop() ?? '';
  return base.replace(/\.(iso|img|raw)$/i, '').slice(0, 100);
}

// The creation request the draft stands for (shared's VmCreateRequest validates it).
export function draftToRequest(d: WizardDraft): VmCreateRequest {
  const iso = d.isoPath.trim();
  const diskGiB = Number(d.diskSizeGiB);
  return {
    name: d.name,
    preset: d.preset,
    iso: iso === '' ? null : iso,
    system: {
      architecture: d.architecture,
      accelerator: d.accelerator,
      cpus: whole(d.cpus),
      memoryMiB: whole(d.memoryMiB),
      firmware: d.firmware,
      tpm: d.tpm,
      secureBoot: d.firmware === 'uefi' && d.secureBoot,
    },
    disks: d.diskEnabled
      ? [{ sizeMiB: /^\s*\d+(\.\d+)?\s*$/.test(d.diskSizeGiB) ? Math.round(diskGiB * 1024) : Number.NaN, format: d.diskFormat, interface: d.diskInterface }]
      : [],
    network: {
      mode: d.networkMode,
      nic: d.nic,
      portForwards:
        d.networkMode === 'none'
          ? []
          : forwardsFromDraft(d.portForwards),
    },
    display: { type: d.displayType, device: d.displayDevice },
  };
}
