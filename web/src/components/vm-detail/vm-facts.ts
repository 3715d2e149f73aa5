import { PRESETS, type VmConfig } from '@openutm/shared';
import { ACCELERATOR_LABELS, ARCHITECTURE_LABELS, DISPLAY_DEVICE_LABELS, DISPLAY_TYPE_LABELS, NIC_LABELS, shortLabel } from '../format/config-labels';
import { formatMiB } from '../format/units';

export interface VmFact {
  label: string;
  value: string;
}

// The few facts people look for on a VM's summary, in words (never the config's internal names).
export function vmFacts(config: VmConfig): VmFact[] {
  const { system, network, display } = config;
  const diskTotal = config.disks.reduce((sum, d) => sum + d.sizeMiB, 0);
  const disks = config.disks.length === 0 ? 'None' : `${formatMiB(diskTotal)} (${config.disks.length} ${config.disks.length === 1 ? 'disk' : 'disks'})`;
  const discs = config.removable.filter((r) => r.iso !== null).length;
  return [
    { label: 'Operating system', value: PRESETS[config.preset].label },
    { label: 'Processor', value: `${system.cpus} ${system.cpus === 1 ? 'CPU' : 'CPUs'}, ${shortLabel(ARCHITECTURE_LABELS[system.architecture])}` },
    { label: 'Memory', value: formatMiB(system.memoryMiB) },
    { label: 'Storage', value: discs > 0 ? `${disks}, ${discs === 1 ? 'a disc' : `${discs} discs`} inserted` : disks },
    { label: 'Network', value: network.mode === 'none' ? 'No network' : `Shared (NAT), ${shortLabel(NIC_LABELS[network.nic])}` },
    { label: 'Display', value: displayFact(display) },
    { label: 'Acceleration', value: shortLabel(ACCELERATOR_LABELS[system.accelerator]) },
  ];
}

// "SPICE", or "VNC, VirtIO graphics" when the graphics card is chosen rather than automatic.
function displayFact(display: VmConfig['display']): string {
  if (display.type === 'none') return 'No screen';
  const type = shortLabel(DISPLAY_TYPE_LABELS[display.type]);
  return display.device === 'default' ? type : `${type}, ${shortLabel(DISPLAY_DEVICE_LABELS[display.device])}`;
}
