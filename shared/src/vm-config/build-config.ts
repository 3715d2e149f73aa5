import { applyDiskEdits, applyRemovableEdits, type DriveEditContext } from './drive-edits';
import { PRESETS } from './presets';
import { VmConfig, VM_CONFIG_SCHEMA_VERSION, type VmId } from './schema';
import {
  LIVE_EDITABLE_FIELDS,
  VmCreateRequest,
  VmEditRequest,
  type VmEditRequestParsed,
} from './requests';

// Turns a creation request into a complete config: the preset fills every gap, the request wins.
export function newVmConfig(request: VmCreateRequest, ids: { id: VmId; now: Date }): VmConfig {
  const req = VmCreateRequest.parse(request);
  const preset = PRESETS[req.preset];
  const now = ids.now.toISOString();
  const disks = (req.disks ?? [{ sizeMiB: preset.diskSizeMiB, format: 'qcow2' as const }]).map((d, i) => ({
    id: `disk${i}`,
    file: `disk${i}.${d.format === 'qcow2' ? 'qcow2' : 'img'}`,
    format: d.format,
    sizeMiB: d.sizeMiB,
    interface: d.interface ?? preset.diskInterface,
    readOnly: false,
  }));
  return VmConfig.parse({
    schemaVersion: VM_CONFIG_SCHEMA_VERSION,
    id: ids.id,
    name: req.name,
    preset: req.preset,
    notes: req.notes ?? '',
    createdAt: now,
    updatedAt: now,
    system: { ...preset.system, ...req.system },
    disks,
    removable: [{ id: 'cd0', iso: req.iso ?? null, interface: preset.cdInterface }],
    boot: req.boot ?? 'auto',
    linuxBoot: req.linuxBoot ?? null,
    network: { ...preset.network, ...req.network },
    display: { ...preset.display, ...req.display },
    sound: { ...preset.sound, ...req.sound },
    input: { ...req.input },
    sharing: { ...req.sharing },
    keyboardLayout: req.keyboardLayout ?? 'us',
  });
}

// Names the sections of an edit that need the VM stopped; [] means it can be applied live.
export function fieldsNeedingStop(edit: VmEditRequest): string[] {
  const parsed = VmEditRequest.parse(edit);
  return Object.entries(parsed)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k)
    .filter((k) => !(LIVE_EDITABLE_FIELDS as readonly string[]).includes(k));
}

// Merges an edit into a config; the result is validated as a whole, so an edit cannot break it.
// Drive changes come first, then media, so a disc can go into a drive added by the same edit.
export function applyVmEdit(config: VmConfig, edit: VmEditRequest, now: Date, ctx: DriveEditContext = {}): VmConfig {
  const e: VmEditRequestParsed = VmEditRequest.parse(edit);
  const { disks, detachedDisks } = applyDiskEdits(config, e.disks, ctx);
  const drives = applyRemovableEdits(config, disks, e.removable);
  const removable = drives.map((drive) => {
    const iso = e.media?.[drive.id];
    return iso === undefined ? drive : { ...drive, iso };
  });
  const unknownDrives = Object.keys(e.media ?? {}).filter((id) => !drives.some((d) => d.id === id));
  if (unknownDrives.length > 0) {
    throw new RangeError(`no removable drive named ${unknownDrives.join(', ')}; this VM has ${drives.map((d) => d.id).join(', ') || 'none'}`);
  }
  return VmConfig.parse({
    ...config,
    name: e.name ?? config.name,
    preset: e.preset ?? config.preset,
    disks,
    detachedDisks,
    notes: e.notes ?? config.notes,
    updatedAt: now.toISOString(),
    system: { ...config.system, ...e.system },
    boot: e.boot ?? config.boot,
    linuxBoot: e.linuxBoot === undefined ? config.linuxBoot : e.linuxBoot,
    network: { ...config.network, ...e.network },
    display: { ...config.display, ...e.display },
    sound: { ...config.sound, ...e.sound },
    input: { ...config.input, ...e.input },
    sharing: { ...config.sharing, ...e.sharing },
    keyboardLayout: e.keyboardLayout ?? config.keyboardLayout,
    removable,
  });
}
