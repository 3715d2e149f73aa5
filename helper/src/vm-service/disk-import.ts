import path from 'node:path';
import { OpenUtmError, type DiskEdits } from '@openutm/shared';
import { assertBackingInside } from '../disk-images/backing-check';
import { inspectImage } from '../disk-images/qemu-img';
import { resolveUserFile } from './host-paths';
import type { HelperFileGuard } from './helper-files';

const MiB = 1024 * 1024;

// An image from elsewhere on the host, checked and ready to be copied into a VM's folder.
export interface CheckedImport {
  // The real path (links and ".." resolved), which is what gets copied.
  source: string;
  sizeMiB: number;
}

// Resolves and inspects each image to import, with the format the person stated (never
// probed). Refused: anything not a regular file, encrypted or corrupt images, and images whose
// backing chain or data file reaches outside the image's own folder (a json:/nbd: name, a file
// elsewhere on the host) — the copy flattens the chain, so it would read whatever those name.
// The helper's own files and other VMs' folders are refused as sources (guard).
export async function checkImports(imports: NonNullable<DiskEdits['import']>, qemuImg: string, guard: HelperFileGuard): Promise<CheckedImport[]> {
  const checked: CheckedImport[] = [];
  for (const imp of imports) {
    const source = await resolveUserFile(imp.path, 'disk image', guard);
    const info = await inspectImage({ qemuImg, path: source, format: imp.format });
    if (info.encrypted) throw refused(imp.path, 'it is encrypted; decrypt it with qemu-img convert first');
    if (info.corrupt) throw refused(imp.path, 'qemu-img reports it as corrupt; repair it with qemu-img check -r all first');
    await assertBackingInside(info, path.dirname(source));
    checked.push({ source, sizeMiB: Math.max(1, Math.ceil(info.virtualSize / MiB)) });
  }
  return checked;
}

function refused(p: string, why: string): OpenUtmError {
  return new OpenUtmError('CONFLICT', `cannot import ${p}: ${why}`, { path: p });
}
