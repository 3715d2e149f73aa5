import type { ImageFormat, ImageInfo } from '../disk-images/image-info';

export type ToolCheckedInfo = Pick<ImageInfo, 'backingFilename' | 'snapshots' | 'dataFile' | 'encrypted' | 'corrupt'>;

// Pure: why qemu-img convert must not rewrite this image, or null. Each refusal names what the
// rewrite would lose or change, and what the person can do instead.
// - A backing file: convert would merge the whole base into the disk (a standalone copy as big
//   as the data of both), silently ending the sharing the overlay was made for. Refused rather
//   than done by surprise; `qemu-img rebase`/`commit` are the tools for that decision.
// - Internal snapshots: convert copies the current state only, so every snapshot would be lost.
// - An external data file, encryption, corruption: the copy would be wrong or unreadable.
export function toolsBlockedBecause(info: ToolCheckedInfo): string | null {
  if (info.snapshots > 0) {
    return `it holds ${info.snapshots} snapshot${info.snapshots === 1 ? '' : 's'}, which a rewrite of the image would lose; delete ${info.snapshots === 1 ? 'it' : 'them'} first if you no longer need ${info.snapshots === 1 ? 'it' : 'them'}`;
  }
  if (info.backingFilename !== null) {
    return `it is an overlay on ${info.backingFilename}; a rewrite would merge that whole base image into it, so OpenUTM leaves it as it is`;
  }
  if (info.dataFile !== null) return `it keeps its data in another file (${info.dataFile}), which OpenUTM does not rewrite`;
  if (info.encrypted) return 'it is encrypted, and OpenUTM does not handle encryption keys';
  if (info.corrupt) return 'qemu-img reports it as corrupt; repair it with `qemu-img check -r all` first';
  return null;
}

// Pure: the file name a disk converted to `format` gets: "<disk id>.qcow2" or "<disk id>.img",
// with "-2", "-3"… when a file of the folder or another disk already has it.
export function convertedFileName(diskId: string, format: ImageFormat, taken: ReadonlySet<string>): string {
  const ext = format === 'qcow2' ? 'qcow2' : 'img';
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${diskId}.${ext}` : `${diskId}-${n}.${ext}`;
    if (!taken.has(name)) return name;
  }
}
