import path from 'node:path';
import { CdInterface, DiskInterface, OpenUtmError, type DiskEdits, type RemovableEdits } from '@openutm/shared';
import { parseSizeMiB } from './parse-units';
import type { Options, Values } from './command';

// The `openutm edit` flags that change disks and CD drives (all need the VM shut down).
export const driveOptions: Options = {
  'add-disk': { type: 'string', multiple: true },
  'resize-disk': { type: 'string', multiple: true },
  'disk-interface': { type: 'string', multiple: true },
  'disk-readonly': { type: 'string', multiple: true },
  'remove-disk': { type: 'string', multiple: true },
  'attach-disk': { type: 'string', multiple: true },
  'import-disk': { type: 'string', multiple: true },
  'discard-disk': { type: 'string', multiple: true },
  'add-cd': { type: 'string', multiple: true },
  'cd-interface': { type: 'string', multiple: true },
  'remove-cd': { type: 'string', multiple: true },
};

export const DRIVE_USAGE =
  '[--add-disk SIZE[,qcow2|raw][,IFACE]] [--resize-disk ID=SIZE] [--disk-interface ID=IFACE] [--disk-readonly ID=on|off] [--remove-disk ID[,keep|delete]] [--attach-disk FILE[,IFACE]] [--import-disk PATH[,qcow2|raw][,IFACE]] [--discard-disk FILE] [--add-cd IFACE] [--cd-interface ID=IFACE] [--remove-cd ID]';

const list = (values: Values, key: string): string[] => (values[key] as string[] | undefined) ?? [];

// "disk1=20G" → ['disk1', '20G'].
function pair(text: string, flag: string, shape: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) throw new OpenUtmError('BAD_REQUEST', `--${flag} takes ${shape}, got ${JSON.stringify(text)}`);
  return [text.slice(0, at), text.slice(at + 1)];
}

function diskInterface(text: string, flag: string): DiskInterface {
  const parsed = DiskInterface.safeParse(text);
  if (!parsed.success) throw new OpenUtmError('BAD_REQUEST', `--${flag}: a disk interface is one of ${DiskInterface.options.join(', ')}, not ${JSON.stringify(text)}`);
  return parsed.data;
}

function cdInterface(text: string, flag: string): CdInterface {
  const parsed = CdInterface.safeParse(text);
  if (!parsed.success) throw new OpenUtmError('BAD_REQUEST', `--${flag}: a CD drive interface is one of ${CdInterface.options.join(', ')}, not ${JSON.stringify(text)}`);
  return parsed.data;
}

// "20G", "20G,raw", "20G,qcow2,nvme", "20G,sata" → a new disk.
function newDisk(text: string): NonNullable<DiskEdits['add']>[number] {
  const [size = '', ...rest] = text.split(',');
  const disk: NonNullable<DiskEdits['add']>[number] = { sizeMiB: parseSizeMiB(size, '--add-disk') };
  for (const part of rest) {
    if (part === 'qcow2' || part === 'raw') disk.format = part;
    else disk.interface = diskInterface(part, 'add-disk');
  }
  return disk;
}

// "/images/a, b.qcow2,raw,sata" → an image to copy in. Options are taken off the end, so the
// path itself may hold commas; the format defaults from the extension (.qcow2, else raw).
export function importFromFlag(text: string, cwd: string): NonNullable<DiskEdits['import']>[number] {
  const parts = text.split(',');
  let format: 'qcow2' | 'raw' | undefined;
  let iface: DiskInterface | undefined;
  for (;;) {
    const last = parts.at(-1);
    if (parts.length > 1 && format === undefined && (last === 'qcow2' || last === 'raw')) format = parts.pop() as 'qcow2' | 'raw';
    else if (parts.length > 1 && iface === undefined && DiskInterface.safeParse(last).success) iface = parts.pop() as DiskInterface;
    else break;
  }
  const file = path.resolve(cwd, parts.join(','));
  return { path: file, format: format ?? (/\.qcow2?$/i.test(file) ? 'qcow2' : 'raw'), ...(iface && { interface: iface }) };
}

// The disk part of an edit from the flags, or undefined when none was given.
export function diskEditsFromFlags(values: Values, cwd: string): DiskEdits | undefined {
  const change: NonNullable<DiskEdits['change']> = {};
  const changeOf = (id: string) => (change[id] ??= {});
  for (const text of list(values, 'resize-disk')) {
    const [id, size] = pair(text, 'resize-disk', 'ID=SIZE (e.g. disk0=40G)');
    changeOf(id).sizeMiB = parseSizeMiB(size, '--resize-disk');
  }
  for (const text of list(values, 'disk-interface')) {
    const [id, iface] = pair(text, 'disk-interface', `ID=IFACE (${DiskInterface.options.join('|')})`);
    changeOf(id).interface = diskInterface(iface, 'disk-interface');
  }
  for (const text of list(values, 'disk-readonly')) {
    const [id, on] = pair(text, 'disk-readonly', 'ID=on|off');
    if (on !== 'on' && on !== 'off') throw new OpenUtmError('BAD_REQUEST', `--disk-readonly takes ID=on or ID=off, got ${JSON.stringify(text)}`);
    changeOf(id).readOnly = on === 'on';
  }
  const remove: NonNullable<DiskEdits['remove']> = {};
  for (const text of list(values, 'remove-disk')) {
    // Keeping is the default: deleting a disk image must be asked for in so many words.
    const [id = '', what = 'keep'] = text.split(',');
    if (what !== 'keep' && what !== 'delete') throw new OpenUtmError('BAD_REQUEST', `--remove-disk takes ID, ID,keep or ID,delete; got ${JSON.stringify(text)}`);
    remove[id] = { file: what };
  }
  const attach = list(values, 'attach-disk').map((text) => {
    const [file = '', iface] = text.split(',');
    return iface === undefined ? { file } : { file, interface: diskInterface(iface, 'attach-disk') };
  });
  const edits: DiskEdits = {
    ...(Object.keys(remove).length > 0 && { remove }),
    ...(Object.keys(change).length > 0 && { change }),
    ...(attach.length > 0 && { attach }),
    ...(list(values, 'import-disk').length > 0 && { import: list(values, 'import-disk').map((t) => importFromFlag(t, cwd)) }),
    ...(list(values, 'add-disk').length > 0 && { add: list(values, 'add-disk').map(newDisk) }),
    ...(list(values, 'discard-disk').length > 0 && { discard: list(values, 'discard-disk') }),
  };
  return Object.keys(edits).length > 0 ? edits : undefined;
}

// The CD drive part of an edit from the flags, or undefined when none was given.
export function removableEditsFromFlags(values: Values): RemovableEdits | undefined {
  const change: NonNullable<RemovableEdits['change']> = {};
  for (const text of list(values, 'cd-interface')) {
    const [id, iface] = pair(text, 'cd-interface', `ID=IFACE (${CdInterface.options.join('|')})`);
    change[id] = { interface: cdInterface(iface, 'cd-interface') };
  }
  const edits: RemovableEdits = {
    ...(list(values, 'remove-cd').length > 0 && { remove: list(values, 'remove-cd') }),
    ...(Object.keys(change).length > 0 && { change }),
    ...(list(values, 'add-cd').length > 0 && { add: list(values, 'add-cd').map((i) => ({ interface: cdInterface(i, 'add-cd') })) }),
  };
  return Object.keys(edits).length > 0 ? edits : undefined;
}
