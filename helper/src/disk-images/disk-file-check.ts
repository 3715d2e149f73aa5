import { lstat } from 'node:fs/promises';
import { OpenUtmError } from '@openutm/shared';

// A VM's disk image must be a regular file of its own folder. A symlink there would let the VM
// write wherever it points (another VM's disk, a file of the user's) while every check of the
// folder's bounds looked at the link's name, so links are refused outright, by lstat.
export async function assertDiskFileNotLink(file: string): Promise<void> {
  let info;
  try {
    info = await lstat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new OpenUtmError('NOT_FOUND', `the disk image ${file} is missing; restore it from a backup or remove the disk from the VM`, { image: file });
    }
    throw new OpenUtmError('IO_ERROR', `cannot read the disk image ${file}: ${(e as Error).message}`, { image: file });
  }
  if (info.isSymbolicLink()) {
    throw new OpenUtmError(
      'UNSAFE_PATH',
      `the disk image ${file} is a symbolic link; a VM's disks must be real files in its folder. Replace the link by the file itself (or import the image with --import-disk).`,
      { image: file },
    );
  }
  if (!info.isFile()) {
    throw new OpenUtmError('UNSAFE_PATH', `the disk image ${file} is not a regular file; a VM's disks must be real files in its folder`, { image: file });
  }
}
