import { OpenUtmError } from '../errors';
import { PRESETS } from './presets';
import type { DetachedDisk, DiskConfig, RemovableMedia, VmConfig } from './schema';
import type { DiskEdits, RemovableEdits } from './requests';
import type { z } from 'zod';

type DiskEditsParsed = z.output<typeof DiskEdits>;
type RemovableEditsParsed = z.output<typeof RemovableEdits>;

// What applyVmEdit must know beyond the config: the file names already in the VM's folder, so
// a new disk never gets the name of a file that is there (a stray or half-deleted image).
export interface DriveEditContext {
  filesInFolder?: readonly string[];
  // The virtual size of each image in `disks.import`, in order, as qemu-img info read it.
  importSizesMiB?: readonly number[];
}

// The disks and detached images after an edit. Pure: the helper creates, grows and deletes
// the files afterwards, from the difference between the old and the new config.
export function applyDiskEdits(
  config: VmConfig,
  edits: DiskEditsParsed | undefined,
  ctx: DriveEditContext,
): { disks: DiskConfig[]; detachedDisks: DetachedDisk[] } {
  let disks = [...config.disks];
  let detached = [...config.detachedDisks];
  if (edits === undefined) return { disks, detachedDisks: detached };
  const preset = PRESETS[config.preset];
  const diskNamed = (id: string, what: string): DiskConfig => {
    const disk = disks.find((d) => d.id === id);
    if (!disk) throw unknown('disk', id, what, disks.map((d) => d.id));
    return disk;
  };

  for (const [id, { file }] of Object.entries(edits.remove ?? {})) {
    const disk = diskNamed(id, 'remove');
    disks = disks.filter((d) => d !== disk);
    if (file === 'keep') detached.push({ file: disk.file, format: disk.format, sizeMiB: disk.sizeMiB });
  }
  for (const [id, change] of Object.entries(edits.change ?? {})) {
    const disk = diskNamed(id, 'change');
    if (change.sizeMiB !== undefined && change.sizeMiB < disk.sizeMiB) {
      throw new OpenUtmError(
        'WOULD_LOSE_DATA',
        `disk ${id} is ${disk.sizeMiB} MiB; shrinking it to ${change.sizeMiB} MiB would cut off whatever the guest stored at the end. Shrink the partitions inside the guest and copy them to a new, smaller disk instead`,
        { disk: id, sizeMiB: disk.sizeMiB, requestedMiB: change.sizeMiB },
      );
    }
    disks = disks.map((d) => (d === disk ? { ...d, ...definedOnly(change) } : d));
  }
  for (const a of edits.attach ?? []) {
    const image = detached.find((d) => d.file === a.file);
    if (!image) throw unknown('detached disk image', a.file, 'attach', detached.map((d) => d.file));
    detached = detached.filter((d) => d !== image);
    const id = freeId('disk', usedIds(config, disks));
    disks.push({ id, ...image, interface: a.interface ?? preset.diskInterface, readOnly: a.readOnly ?? false });
  }
  // New images (imported, then empty ones) come last and in request order: the helper pairs the
  // first imports.length new files with the imported paths.
  const newDisk = (n: { format: DiskConfig['format']; sizeMiB: number; interface?: DiskConfig['interface']; readOnly?: boolean }) => {
    const id = freeId('disk', usedIds(config, disks));
    const taken = new Set([...disks.map((d) => d.file), ...detached.map((d) => d.file), ...config.disks.map((d) => d.file), ...(ctx.filesInFolder ?? [])]);
    disks.push({ id, file: freeFile(id, n.format === 'qcow2' ? 'qcow2' : 'img', taken), format: n.format, sizeMiB: n.sizeMiB, interface: n.interface ?? preset.diskInterface, readOnly: n.readOnly ?? false });
  };
  (edits.import ?? []).forEach((imp, i) => {
    const sizeMiB = ctx.importSizesMiB?.[i];
    if (sizeMiB === undefined) throw new OpenUtmError('BAD_REQUEST', `the image ${imp.path} must be inspected by the helper before it is imported`);
    newDisk({ ...imp, sizeMiB });
  });
  for (const n of edits.add ?? []) newDisk(n);
  for (const file of edits.discard ?? []) {
    if (!detached.some((d) => d.file === file)) throw unknown('detached disk image', file, 'discard', detached.map((d) => d.file));
    detached = detached.filter((d) => d.file !== file);
  }
  return { disks, detachedDisks: detached };
}

// The CD drives after an edit: removed, re-plugged on another interface, new empty ones added.
export function applyRemovableEdits(config: VmConfig, disks: DiskConfig[], edits: RemovableEditsParsed | undefined): RemovableMedia[] {
  let drives = [...config.removable];
  if (edits === undefined) return drives;
  const known = (id: string, what: string) => {
    if (!drives.some((d) => d.id === id)) throw unknown('removable drive', id, what, drives.map((d) => d.id));
  };
  for (const id of edits.remove ?? []) {
    known(id, 'remove');
    drives = drives.filter((d) => d.id !== id);
  }
  for (const [id, change] of Object.entries(edits.change ?? {})) {
    known(id, 'change');
    drives = drives.map((d) => (d.id === id ? { ...d, interface: change.interface } : d));
  }
  for (const a of edits.add ?? []) {
    const id = freeId('cd', new Set([...disks.map((d) => d.id), ...drives.map((d) => d.id)]));
    drives.push({ id, iso: null, interface: a.interface ?? PRESETS[config.preset].cdInterface });
  }
  return drives;
}

function usedIds(config: VmConfig, disks: DiskConfig[]): Set<string> {
  // Ids of removed disks stay reserved within one edit, so "remove disk1, add a disk" cannot
  // hand the new disk the old one's id (and a reader of the edit cannot confuse the two).
  return new Set([...config.disks.map((d) => d.id), ...disks.map((d) => d.id), ...config.removable.map((d) => d.id)]);
}

function freeId(prefix: string, used: ReadonlySet<string>): string {
  for (let i = 0; ; i++) if (!used.has(`${prefix}${i}`)) return `${prefix}${i}`;
}

function freeFile(id: string, ext: string, taken: ReadonlySet<string>): string {
  if (!taken.has(`${id}.${ext}`)) return `${id}.${ext}`;
  for (let k = 2; ; k++) if (!taken.has(`${id}-${k}.${ext}`)) return `${id}-${k}.${ext}`;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function unknown(what: string, name: string, action: string, existing: string[]): OpenUtmError {
  return new OpenUtmError(
    'CONFIG_INVALID',
    `cannot ${action} ${what} ${JSON.stringify(name)}: this VM has no such ${what} (it has ${existing.length > 0 ? existing.join(', ') : 'none'})`,
    { [what.replace(/ /g, '_')]: name },
  );
}
