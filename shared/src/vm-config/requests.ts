import { z } from 'zod';
import {
  DiskConfig,
  DisplayConfig,
  HostPath,
  InputConfig,
  LinuxBootConfig,
  NetworkConfig,
  OsPreset,
  SharingConfig,
  SoundConfig,
  SystemConfig,
  VmName,
} from './schema';

// The settings sections both creation and edits may name; each named section is merged over the
// preset (create) or the current config (edit), field by field.
const SettingsSections = {
  notes: z.string().max(10_000).optional(),
  system: SystemConfig.partial().optional(),
  boot: z.enum(['auto', 'cdrom', 'disk']).optional(),
  linuxBoot: LinuxBootConfig.nullable().optional(),
  network: NetworkConfig.partial().optional(),
  display: DisplayConfig.partial().optional(),
  sound: SoundConfig.partial().optional(),
  input: InputConfig.partial().optional(),
  sharing: SharingConfig.partial().optional(),
};

// What a person asks for when creating a VM; everything left out comes from the preset.
export const VmCreateRequest = z.object({
  ...SettingsSections,
  name: VmName,
  preset: OsPreset.default('other'),
  // Each entry is a new, empty disk image the helper creates; [] means no disk at all.
  disks: z
    .array(
      z.object({
        sizeMiB: DiskConfig.shape.sizeMiB,
        format: DiskConfig.shape.format.default('qcow2'),
        interface: DiskConfig.shape.interface.optional(),
      }),
    )
    .max(16)
    .optional(),
  iso: HostPath.nullable().optional(),
});
export type VmCreateRequest = z.input<typeof VmCreateRequest>;
export type VmCreateRequestParsed = z.output<typeof VmCreateRequest>;

// An edit names only the sections it changes.
export const VmEditRequest = z.object({
  ...SettingsSections,
  name: VmName.optional(),
  // Removable media by drive id: a path inserts a disc, null ejects it. Allowed while running.
  media: z.record(z.string(), HostPath.nullable()).optional(),
});
export type VmEditRequest = z.input<typeof VmEditRequest>;
export type VmEditRequestParsed = z.output<typeof VmEditRequest>;

// The parts of an edit that a running VM can take without a restart.
export const LIVE_EDITABLE_FIELDS = ['name', 'notes', 'media'] as const;
