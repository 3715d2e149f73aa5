import { VmEditRequest, type DisplayConfig, type NetworkConfig, type OsPreset, type SystemConfig, type VmConfig } from '@openutm/shared';
import type { ZodIssue } from 'zod';
import { duplicateForwards, forwardsFromDraft, wholeNumber, type PortForwardDraft } from '../form/port-forward-draft';

// Every editable field of a VM's config as the settings form holds it (numbers as typed).
export interface SettingsDraft {
  name: string;
  notes: string;
  // A label and icon only: changing it rewrites no other setting.
  preset: OsPreset;
  architecture: SystemConfig['architecture'];
  machine: SystemConfig['machine'];
  accelerator: SystemConfig['accelerator'];
  cpuModel: string;
  cpus: string;
  memoryMiB: string;
  firmware: SystemConfig['firmware'];
  tpm: boolean;
  secureBoot: boolean;
  boot: VmConfig['boot'];
  linuxBootEnabled: boolean;
  kernel: string;
  initrd: string;
  cmdline: string;
  networkMode: NetworkConfig['mode'];
  nic: NetworkConfig['nic'];
  // '' lets QEMU pick the MAC address.
  mac: string;
  portForwards: PortForwardDraft[];
  displayType: DisplayConfig['type'];
  displayDevice: DisplayConfig['device'];
  soundEnabled: boolean;
  soundDevice: VmConfig['sound']['device'];
  usbTablet: boolean;
  keyboardLayout: VmConfig['keyboardLayout'];
  spiceAgent: boolean;
  guestAgent: boolean;
}

// The fields a running VM can take (shared's LIVE_EDITABLE_FIELDS; media has its own panel).
export const LIVE_FIELDS: ReadonlySet<keyof SettingsDraft> = new Set(['name', 'notes', 'keyboardLayout']);

export function settingsDraft(c: VmConfig): SettingsDraft {
  return {
    name: c.name,
    notes: c.notes,
    preset: c.preset,
    architecture: c.system.architecture,
    machine: c.system.machine,
    accelerator: c.system.accelerator,
    cpuModel: c.system.cpuModel,
    cpus: String(c.system.cpus),
    memoryMiB: String(c.system.memoryMiB),
    firmware: c.system.firmware,
    tpm: c.system.tpm,
    secureBoot: c.system.secureBoot,
    boot: c.boot,
    linuxBootEnabled: c.linuxBoot !== null,
    kernel: c.linuxBoot?.kernel ?? '',
    initrd: c.linuxBoot?.initrd ?? '',
    cmdline: c.linuxBoot?.cmdline ?? '',
    networkMode: c.network.mode,
    nic: c.network.nic,
    mac: c.network.mac ?? '',
    portForwards: c.network.portForwards.map((f) => ({ protocol: f.protocol, hostAddress: f.hostAddress, hostPort: String(f.hostPort), guestPort: String(f.guestPort) })),
    displayType: c.display.type,
    displayDevice: c.display.device,
    soundEnabled: c.sound.enabled,
    soundDevice: c.sound.device,
    usbTablet: c.input.usbTablet,
    keyboardLayout: c.keyboardLayout,
    spiceAgent: c.sharing.spiceAgent,
    guestAgent: c.sharing.guestAgent,
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// The edit that turns the config into the draft: only sections that differ, each whole.
export function draftToEdit(c: VmConfig, d: SettingsDraft): VmEditRequest {
  const sections = {
    name: d.name,
    notes: d.notes,
    preset: d.preset,
    system: {
      architecture: d.architecture,
      machine: d.machine,
      accelerator: d.accelerator,
      cpuModel: d.cpuModel.trim(),
      cpus: wholeNumber(d.cpus),
      memoryMiB: wholeNumber(d.memoryMiB),
      firmware: d.firmware,
      tpm: d.tpm,
      secureBoot: d.firmware === 'uefi' && d.secureBoot,
    },
    boot: d.boot,
    linuxBoot: d.linuxBootEnabled ? { kernel: d.kernel.trim(), initrd: d.initrd.trim() === '' ? null : d.initrd.trim(), cmdline: d.cmdline } : null,
    network: { mode: d.networkMode, nic: d.nic, mac: d.mac.trim() === '' ? null : d.mac.trim().toLowerCase(), portForwards: forwardsFromDraft(d.portForwards) },
    display: { type: d.displayType, device: d.displayDevice },
    sound: { enabled: d.soundEnabled, device: d.soundDevice },
    input: { usbTablet: d.usbTablet },
    keyboardLayout: d.keyboardLayout,
    sharing: { spiceAgent: d.spiceAgent, guestAgent: d.guestAgent },
  };
  const current: Record<keyof typeof sections, unknown> = {
    name: c.name,
    notes: c.notes,
    preset: c.preset,
    system: c.system,
    boot: c.boot,
    linuxBoot: c.linuxBoot,
    network: c.network,
    display: c.display,
    sound: c.sound,
    input: c.input,
    keyboardLayout: c.keyboardLayout,
    sharing: c.sharing,
  };
  const edit: Record<string, unknown> = {};
  for (const key of Object.keys(sections) as Array<keyof typeof sections>) {
    if (!sameJson(normalise(sections[key]), normalise(current[key]))) edit[key] = sections[key];
  }
  return edit as VmEditRequest;
}

// Key order must not count as a change.
function normalise(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return Array.isArray(v) ? v.map(normalise) : v;
  return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, normalise(x)]));
}

const SECTION_FIELD: Record<string, Record<string, keyof SettingsDraft>> = {
  network: { mode: 'networkMode', nic: 'nic', mac: 'mac' },
  display: { type: 'displayType', device: 'displayDevice' },
  sound: { enabled: 'soundEnabled', device: 'soundDevice' },
  linuxBoot: { kernel: 'kernel', initrd: 'initrd', cmdline: 'cmdline' },
};

function fieldOfIssue(issue: ZodIssue): string {
  const [head, second, third, fourth] = issue.path.map(String);
  if (head === 'network' && second === 'portForwards' && third !== undefined && fourth) return `portForwards.${third}.${fourth}`;
  if (head === 'system' && second) return second;
  if (head && second && SECTION_FIELD[head]?.[second]) return SECTION_FIELD[head][second];
  return head ?? 'name';
}

// Problems with the edit as shared's schema sees it, by draft field; {} when it can be sent.
export function editErrors(edit: VmEditRequest, draft: SettingsDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  const parsed = VmEditRequest.safeParse(edit);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      errors[fieldOfIssue(issue)] ??= issue.code === 'invalid_type' && issue.received === 'nan' ? 'enter a whole number' : issue.message;
    }
  }
  for (const [row, message] of duplicateForwards(draft.portForwards)) errors[`portForwards.${row}.hostPort`] ??= message;
  return errors;
}
