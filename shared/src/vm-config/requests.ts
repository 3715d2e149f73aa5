import { z } from 'zod';
import {
  BundleFileName,
  CdInterface,
  DiskConfig,
  DiskInterface,
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
import { KeyboardLayout } from '../keyboard/keyboard-layouts';

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
  keyboardLayout: KeyboardLayout.optional(),
};

// A new, empty disk image the helper creates in the VM's folder; the interface defaults to the
// preset's.
export const NewDisk = z.object({
  sizeMiB: DiskConfig.shape.sizeMiB,
  format: DiskConfig.shape.format.default('qcow2'),
  interface: DiskInterface.optional(),
});
export type NewDisk = z.input<typeof NewDisk>;

// Disk changes, applied in this order: remove, change, attach, import, add. Removing says what becomes
// of the image file — never implied, so no click loses a disk by accident: 'keep' leaves it in
// the VM's folder as a detached disk (config.detachedDisks) that can be attached again.
export const DiskEdits = z.object({
  remove: z.record(z.string(), z.object({ file: z.enum(['keep', 'delete']) })).optional(),
  // By disk id. A larger sizeMiB grows the image (qemu-img resize); a smaller one is refused.
  change: z
    .record(
      z.string(),
      z.object({ sizeMiB: DiskConfig.shape.sizeMiB.optional(), interface: DiskInterface.optional(), readOnly: z.boolean().optional() }),
    )
    .optional(),
  // Detached images of this VM, attached again by file name.
  attach: z.array(z.object({ file: BundleFileName, interface: DiskInterface.optional(), readOnly: z.boolean().optional() })).max(16).optional(),
  // Images elsewhere on the host, copied into the VM's folder (the original is never written).
  // The format is stated, never guessed from the contents; qemu-img info checks it first.
  import: z
    .array(z.object({ path: HostPath, format: DiskConfig.shape.format, interface: DiskInterface.optional(), readOnly: z.boolean().optional() }))
    .max(16)
    .optional(),
  add: z.array(NewDisk).max(16).optional(),
  // Detached images deleted for good, by file name.
  discard: z.array(BundleFileName).max(64).optional(),
});
export type DiskEdits = z.input<typeof DiskEdits>;

// CD drives: removed by id, interface changed by id, new empty drives added.
export const RemovableEdits = z.object({
  remove: z.array(z.string()).max(4).optional(),
  change: z.record(z.string(), z.object({ interface: CdInterface })).optional(),
  add: z.array(z.object({ interface: CdInterface.optional() })).max(4).optional(),
});
export type RemovableEdits = z.input<typeof RemovableEdits>;

// What a person asks for when creating a VM; everything left out comes from the preset.
export const VmCreateRequest = z.object({
  ...SettingsSections,
  name: VmName,
  preset: OsPreset.default('other'),
  // Each entry is a new, empty disk image the helper creates; [] means no disk at all.
  disks: z.array(NewDisk).max(16).optional(),
  iso: HostPath.nullable().optional(),
});
export type VmCreateRequest = z.input<typeof VmCreateRequest>;
export type VmCreateRequestParsed = z.output<typeof VmCreateRequest>;

// An edit names only the sections it changes.
export const VmEditRequest = z.object({
  ...SettingsSections,
  name: VmName.optional(),
  // The OS preset is a label and an icon here: changing it rewrites no other setting.
  preset: OsPreset.optional(),
  disks: DiskEdits.optional(),
  removable: RemovableEdits.optional(),
  // Removable media by drive id: a path inserts a disc, null ejects it. Allowed while running.
  media: z.record(z.string(), HostPath.nullable()).optional(),
});
export type VmEditRequest = z.input<typeof VmEditRequest>;
export type VmEditRequestParsed = z.output<typeof VmEditRequest>;

// The parts of an edit that a running VM can take without a restart.
// The keyboard layout only matters when text is typed, so it changes live too.
export const LIVE_EDITABLE_FIELDS = ['name', 'notes', 'media', 'keyboardLayout'] as const;
