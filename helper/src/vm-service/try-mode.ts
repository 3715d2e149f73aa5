import { copyFile, stat, constants as fsConstants } from 'node:fs/promises';
import path from 'node:path';
import { OpenUtmError, isActive, type JobProgress, type TryMode, type VmState } from '@openutm/shared';
import { commitOverlay, createOverlay } from '../disk-images/overlay';
import { runJob } from './job-progress';
import type { SerialQueue } from './serial-queue';
import { readTryRecord, removeFile, removeTryRecord, writeTryRecord, type TryRecord } from './try-record';

export interface TryModeDeps {
  folder(id: string): string;
  qemuImg(): Promise<string | null>;
  // Whether the VM has no QEMU (stopped or crashed): the overlays are only touched then.
  isIdle(id: string): boolean;
  // The engine's per-VM queue, so a Keep never runs beside a start of the same VM.
  queue: SerialQueue;
  // The try state of a VM changed: its status should be sent again.
  changed(id: string): void;
  emitJob(progress: JobProgress): void;
}

// The actions a pending choice blocks: a start would run on disks missing the try's changes
// (or write beside them), edits could detach a disk under an overlay, a clone would copy the
// disks without the changes.
export type BlockedByTry = 'start' | 'edit' | 'clone';

// Try mode: a VM runs on throwaway qcow2 overlays over its writable disks (and a copy of its
// UEFI variables); afterwards the person keeps the changes (committed into the real disks) or
// discards them (the disks were never written). The record in the VM folder is the truth, so
// a crash or a helper restart at any point leaves the choice pending, never made for them.
export class TryModes {
  // The try record of each VM that has one (an error when it cannot be read: still pending).
  private readonly records = new Map<string, TryRecord | OpenUtmError>();
  // Tries begun by a start whose guest has not run yet: a failed start may drop those at once.
  private readonly unrun = new Set<string>();

  constructor(private readonly deps: TryModeDeps) {}

  // Reads the VM's record from its folder (on adopt: a previous helper may have left one).
  async load(id: string): Promise<void> {
    const record = await readTryRecord(this.deps.folder(id)).catch((e: unknown) => (e instanceof OpenUtmError ? e : new OpenUtmError('IO_ERROR', String(e))));
    if (record === null) this.records.delete(id);
    else this.records.set(id, record);
  }

  phase(id: string, state: VmState): TryMode | null {
    if (!this.records.has(id)) return null;
    return isActive(state) ? 'active' : 'pending';
  }

  assertNoChoicePending(id: string, action: BlockedByTry): void {
    if (!this.records.has(id) || !this.deps.isIdle(id)) return;
    const verb = action === 'edit' ? 'change the settings of' : action;
    throw new OpenUtmError('TRY_PENDING', `cannot ${verb} this VM while the changes of its last try wait for a choice: keep them or discard them first (\`openutm try keep VM\` or \`openutm try discard VM\`)`);
  }

  // Puts the overlays and the UEFI variables copy in place, then writes the record; QEMU starts
  // after this. Called inside the start's turn of the queue.
  async begin(id: string, record: TryRecord, qemuImg: string | null): Promise<void> {
    const folder = this.deps.folder(id);
    if (!qemuImg && record.disks.length > 0) throw new OpenUtmError('QEMU_NOT_FOUND', 'qemu-img is needed to make the overlays of a try; `openutm doctor` says how to install it');
    if (this.records.has(id) || (await readTryRecord(folder)) !== null) {
      throw new OpenUtmError('TRY_PENDING', 'the last try of this VM still waits for a choice: keep or discard its changes first');
    }
    const made: string[] = [];
    try {
      for (const disk of record.disks) {
        // A file of that name without a record is left from a try that never got to start QEMU.
        await removeFile(path.join(folder, disk.overlay));
        await createOverlay({ qemuImg: qemuImg!, path: path.join(folder, disk.overlay), diskFile: disk.file, diskFormat: disk.format });
        made.push(disk.overlay);
      }
      if (record.efiVars) {
        await copyFile(path.join(folder, record.efiVars.file), path.join(folder, record.efiVars.copy)).catch((e: Error) => {
          throw new OpenUtmError('IO_ERROR', `cannot copy the UEFI variables for the try: ${e.message}`);
        });
        made.push(record.efiVars.copy);
      }
      await writeTryRecord(folder, record);
    } catch (e) {
      await Promise.all(made.map((f) => removeFile(path.join(folder, f)).catch(() => undefined)));
      throw e;
    }
    this.records.set(id, record);
    this.unrun.add(id);
  }

  // The guest of a try has run: from now on only the person may drop its changes.
  guestRan(id: string): void {
    this.unrun.delete(id);
  }

  // A start that failed before its guest ran: its try holds nothing, so it goes quietly.
  async abandonUnrun(id: string): Promise<void> {
    if (!this.unrun.delete(id)) return;
    await this.dropFiles(id).catch(() => undefined);
  }

  // Commits every overlay into its disk and the UEFI variables copy over the VM's own, as a
  // job. Every step can run twice without harm (a commit writes the same data again, the copy
  // copies again), so a Keep cut short simply runs again from the record; between disks the
  // record notes which are done so a rerun skips them. Each record write is an fsync, which is
  // why there is none after the last step: the bench holds Keep to 1.10× a bare commit.
  keep(id: string, job?: string): Promise<void> {
    return this.deps.queue.run(id, () =>
      runJob({ job, vm: id, kind: 'try-keep', label: 'Keeping the changes', emit: this.deps.emitJob }, async (report) => {
        const record = this.pending(id);
        const qemuImg = await this.deps.qemuImg();
        if (!qemuImg) throw new OpenUtmError('QEMU_NOT_FOUND', 'qemu-img is needed to keep the changes; `openutm doctor` says how to install it');
        const folder = this.deps.folder(id);
        const save = async () => {
          await writeTryRecord(folder, record);
          this.records.set(id, record);
        };
        record.keeping = true;
        await save();
        const todo = record.disks.filter((d) => !d.committed);
        // Weighted by overlay size: the changes, not the disks, are what takes time to write.
        const sizes = await Promise.all(todo.map((d) => overlaySize(path.join(folder, d.overlay), d.id)));
        const total = sizes.reduce((a, b) => a + b, 0) || 1;
        let before = 0;
        for (const [i, disk] of todo.entries()) {
          const label = `Writing the changes of ${disk.id} into ${disk.file}`;
          report({ done: before, total, label });
          await commitOverlay({ qemuImg, path: path.join(folder, disk.overlay), onProgress: (f) => report({ done: before + f * sizes[i]!, total, label }) });
          disk.committed = true;
          if (i < todo.length - 1) await save();
          before += sizes[i]!;
        }
        if (record.efiVars) {
          const { file, copy } = record.efiVars;
          await copyFile(path.join(folder, copy), path.join(folder, file), fsConstants.COPYFILE_FICLONE).catch((e: Error) => {
            throw new OpenUtmError('IO_ERROR', `cannot put the try's UEFI variables in place: ${e.message}. Run keep again once that is fixed`);
          });
        }
        await this.dropFiles(id);
      }),
    ).finally(() => this.deps.changed(id));
  }

  // Deletes the overlays and the UEFI variables copy: the real disks were never written.
  discard(id: string): Promise<void> {
    return this.deps.queue.run(id, async () => {
      const record = this.pending(id);
      if (record.keeping) {
        throw new OpenUtmError('CONFLICT', 'a Keep of these changes was started and may have written part of them into the disks already, so they cannot be discarded any more; run keep again to finish it');
      }
      await this.dropFiles(id);
    }).finally(() => this.deps.changed(id));
  }

  // The record of a try whose choice can be made now.
  private pending(id: string): TryRecord {
    const record = this.records.get(id);
    if (record === undefined) throw new OpenUtmError('CONFLICT', 'this VM has no try whose changes wait for a choice');
    if (record instanceof OpenUtmError) throw record;
    if (!this.deps.isIdle(id)) throw new OpenUtmError('INVALID_STATE', 'the VM still runs its try; shut it down first, then keep or discard the changes');
    return record;
  }

  // The record goes first: once the choice is carried out, what it named holds nothing anyone
  // needs (kept changes are in the disks, discarded ones unwanted), and a file left over by a
  // crash right after is cleared by the next try. Files first would leave, after such a crash, a
  // record naming an overlay that is gone, which a Keep could not tell from lost changes.
  private async dropFiles(id: string): Promise<void> {
    const folder = this.deps.folder(id);
    const record = this.records.get(id);
    if (record instanceof OpenUtmError || record === undefined) return;
    await removeTryRecord(folder);
    for (const d of record.disks) await removeFile(path.join(folder, d.overlay));
    if (record.efiVars) await removeFile(path.join(folder, record.efiVars.copy));
    this.records.delete(id);
    this.unrun.delete(id);
  }
}

// An overlay a Keep is about to commit. One that is gone before it was committed means the
// changes of that disk were lost outside OpenUTM: say so rather than pretend they were kept.
async function overlaySize(file: string, diskId: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new OpenUtmError('IO_ERROR', `cannot read ${file}: ${(e as Error).message}`);
    throw new OpenUtmError('NOT_FOUND', `the overlay ${file} with the try's changes of ${diskId} is missing, so they cannot be kept; discard the try to use the disks as they were`);
  }
}
