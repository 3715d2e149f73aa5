import { copyFile, mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { OpenUtmError, SnapshotName, SnapshotTag } from '@openutm/shared';
import { writeFileAtomic } from '../vm-library/atomic-write';

// Inside the VM's folder: the list with names and notes, and beside it each snapshot's thumbnail
// and (UEFI VMs) its copy of the firmware's variable store.
export const SNAPSHOTS_DIR = 'snapshots';
const INDEX_FILE = 'index.json';

const StoredSnapshot = z.object({
  tag: SnapshotTag,
  name: SnapshotName,
  notes: z.string().max(10_000),
  createdAt: z.string().datetime(),
  memory: z.boolean(),
  diskBytes: z.number().int().min(0),
  thumbnail: z.boolean(),
  efiVars: z.boolean(),
});
export type StoredSnapshot = z.infer<typeof StoredSnapshot>;

const SnapshotIndex = z.object({
  version: z.literal(1),
  current: SnapshotTag.nullable(),
  snapshots: z.array(StoredSnapshot),
});
export type SnapshotIndex = z.infer<typeof SnapshotIndex>;

const EMPTY: SnapshotIndex = { version: 1, current: null, snapshots: [] };

// The snapshot metadata of one VM. Every change rewrites index.json atomically, so a crash
// leaves the old list or the new one; files named after a tag are written before the index
// names them and removed after it stops naming them.
export class SnapshotStore {
  readonly dir: string;

  constructor(vmFolder: string) {
    this.dir = path.join(vmFolder, SNAPSHOTS_DIR);
  }

  async read(): Promise<SnapshotIndex> {
    let text: string;
    try {
      text = await readFile(path.join(this.dir, INDEX_FILE), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
      throw new OpenUtmError('IO_ERROR', `could not read ${path.join(this.dir, INDEX_FILE)}: ${(e as Error).message}`);
    }
    const parsed = SnapshotIndex.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new OpenUtmError('CONFIG_INVALID', `${path.join(this.dir, INDEX_FILE)} is damaged (${parsed.error.issues[0]?.message ?? 'not JSON'}); move it away to start a new snapshot list (the snapshots stay in the disk images)`);
    }
    return parsed.data;
  }

  async write(index: SnapshotIndex): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(path.join(this.dir, INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
  }

  thumbnailPath(tag: string): string {
    return path.join(this.dir, `${SnapshotTag.parse(tag)}.png`);
  }

  efiVarsPath(tag: string): string {
    return path.join(this.dir, `${SnapshotTag.parse(tag)}.efi-vars.fd`);
  }

  async saveThumbnail(tag: string, png: Buffer): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.thumbnailPath(tag), png);
  }

  async readThumbnail(tag: string): Promise<string | null> {
    return readFile(this.thumbnailPath(tag)).then((b) => b.toString('base64'), () => null);
  }

  // Copies the VM's variable store beside the snapshot (under a temp name first, like every library write).
  async keepEfiVars(tag: string, varsFile: string): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.efiVarsPath(tag), await readFile(varsFile));
  }

  async restoreEfiVars(tag: string, varsFile: string): Promise<void> {
    await writeFileAtomic(varsFile, await readFile(this.efiVarsPath(tag)));
  }

  // The same into a store QEMU holds open (a live restore): written in place, since a rename would
  // leave QEMU writing the firmware's next variables into the replaced file.
  async rewriteEfiVars(tag: string, varsFile: string): Promise<void> {
    const kept = await readFile(this.efiVarsPath(tag));
    const handle = await open(varsFile, 'r+').catch((e: Error) => {
      throw new OpenUtmError('IO_ERROR', `could not write the UEFI variables ${varsFile}: ${e.message}`);
    });
    try {
      await handle.write(kept, 0, kept.length, 0);
      await handle.truncate(kept.length);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async copyEfiVarsTo(tag: string, target: string): Promise<void> {
    await copyFile(this.efiVarsPath(tag), target);
  }

  async removeFiles(tag: string): Promise<void> {
    await rm(this.thumbnailPath(tag), { force: true });
    await rm(this.efiVarsPath(tag), { force: true });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
