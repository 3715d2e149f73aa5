import { randomBytes } from 'node:crypto';
import { copyFile, readdir, constants as fsConstants, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  OpenUtmError,
  applyVmEdit,
  DiskEdits,
  fieldsNeedingStop,
  newVmConfig,
  whyNot,
  VmConfig,
  type HostFacts,
  type VmCreateRequest,
  type VmEditRequest,
  type VmState,
} from '@openutm/shared';
import type { VmLibrary } from '../vm-library/vm-library';
import { createImage } from '../disk-images/qemu-img';
import { cloneImage } from '../disk-images/clone-image';
import { copyTpmState } from '../companions/swtpm';
import { resolveUserFile } from './host-paths';
import type { HelperFileGuard, HelperPlaces } from './helper-files';
import type { ReportStep } from './job-progress';
import { applyDiskFiles, hasFileWork, planDiskFiles } from './disk-edits';
import { checkImports } from './disk-import';
import { assertDiskFileNotLink } from '../disk-images/disk-file-check';
import { EFI_VARS_FILE, vmFolder } from '../vm-library/library-paths';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

// 12 characters of a 32-letter alphabet: 60 random bits, short enough for socket paths.
export function newVmId(): string {
  const bytes = randomBytes(12);
  return Array.from(bytes, (b) => ID_ALPHABET[b % 32]).join('');
}

export interface CatalogHooks {
  isIdle(id: string): boolean;
  stateOf(id: string): VmState;
  liveMedia(id: string, drive: string, iso: string | null): Promise<void>;
  // The helper's own places, which no ISO, kernel or import source may be in (helper-files.ts).
  helperPlaces(): Promise<HelperPlaces>;
}

// A clone made from a named snapshot: its tag in the disk images, its copy of the UEFI variables.
export interface CloneSource {
  tag: string;
  efiVars: string | null;
}

// The VM configurations and their files: create, edit, clone, delete. Lifecycle lives elsewhere.
export class VmCatalog {
  constructor(
    private readonly library: VmLibrary,
    private readonly hostFacts: () => Promise<HostFacts>,
    private readonly hooks: CatalogHooks,
  ) {}

  // Folder first, disks next, vm.json last: a VM appears in the library only when complete.
  // Progress counts disks: qemu-img create says nothing while it works.
  async create(request: VmCreateRequest, report: ReportStep = () => undefined): Promise<VmConfig> {
    const id = newVmId();
    const config = newVmConfig(request, { id, now: new Date() });
    // The id is not the folder's yet: nothing in the library counts as this VM's own.
    const checked = await this.checkMedia(config, null);
    const folder = await this.library.createFolder(id);
    try {
      if (checked.disks.length > 0) {
        const facts = await this.hostFacts();
        const qemuImg = requireQemuImg(facts);
        const total = checked.disks.length;
        for (const [i, disk] of checked.disks.entries()) {
          report({ done: i, total, label: `Creating disk ${i + 1} of ${total} (${disk.sizeMiB} MiB)` });
          await createImage({ qemuImg, path: path.join(folder, disk.file), format: disk.format, sizeMiB: disk.sizeMiB });
        }
      }
      await this.library.write(checked);
      return checked;
    } catch (e) {
      await this.library.remove(id).catch(() => undefined);
      throw e;
    }
  }

  // Progress covers the disk file work (imports above all); report is called only if there is some.
  async edit(id: string, changes: VmEditRequest, report: ReportStep = () => undefined): Promise<VmConfig> {
    const current = await this.library.read(id);
    const state = this.hooks.stateOf(id);
    if (state === 'suspended') {
      // The saved state fits only the hardware and media it was saved with.
      const blocked = fieldsNeedingStop(changes).concat(changes.media === undefined ? [] : ['media']);
      if (blocked.length > 0) {
        throw new OpenUtmError('INVALID_STATE', `${blocked.join(', ')} cannot change while the VM is suspended: resume or discard the saved state first; name and notes can change now`, { fields: blocked });
      }
    } else if (!this.hooks.isIdle(id)) {
      const blocked = fieldsNeedingStop(changes);
      if (blocked.length > 0) {
        throw new OpenUtmError(
          'INVALID_STATE',
          `${blocked.join(', ')} can only change while the VM is shut down (it is ${state}); name, notes and removable media can change now`,
          { fields: blocked },
        );
      }
    }
    const folder = vmFolder(this.library.root, id);
    // New disks must not take the name of any file already in the folder.
    const filesInFolder = changes.disks === undefined ? [] : await readdir(folder);
    // Checked against the schema first; an invalid edit is refused by applyVmEdit below.
    const toImport = DiskEdits.safeParse(changes.disks ?? {}).data?.import ?? [];
    const imports = toImport.length > 0 ? await checkImports(toImport, requireQemuImg(await this.hostFacts()), this.guard(id)) : [];
    let next: VmConfig;
    try {
      next = applyVmEdit(current, changes, new Date(), { filesInFolder, importSizesMiB: imports.map((i) => i.sizeMiB) });
    } catch (e) {
      throw asConfigError(e);
    }
    next = await this.checkMedia(next, id);
    if (!this.hooks.isIdle(id) && state !== 'suspended') {
      for (const drive of next.removable) {
        const before = current.removable.find((d) => d.id === drive.id);
        if (before && before.iso !== drive.iso) await this.hooks.liveMedia(id, drive.id, drive.iso);
      }
    }
    // Disks kept by the edit (and maybe grown) must be real files of the folder, not links.
    for (const disk of next.disks) {
      if (current.disks.some((d) => d.file === disk.file) && changes.disks !== undefined) await assertDiskFileNotLink(path.join(folder, disk.file));
    }
    const plan = planDiskFiles(current, next, imports.map((i) => i.source));
    const commit = async () => {
      await this.library.write(next);
    };
    if (hasFileWork(plan)) await applyDiskFiles(plan, { qemuImg: requireQemuImg(await this.hostFacts()), folder }, commit, report);
    else await commit();
    return next;
  }

  // A full copy under a new id: disks (reflinked where the file system can), firmware vars, TPM state.
  // Progress is in bytes of the source disks' files, each disk's share by qemu-img's fraction.
  async clone(id: string, name?: string, report: ReportStep = () => undefined, snapshot?: CloneSource): Promise<VmConfig> {
    const source = await this.library.read(id);
    const newId = newVmId();
    const now = new Date().toISOString();
    const config = VmConfig.parse({
      ...source,
      id: newId,
      name: name ?? `${source.name} (copy)`.slice(0, 100),
      createdAt: now,
      updatedAt: now,
      network: { ...source.network, mac: null },
      // Kept (detached) images stay with the original: only attached disks are copied.
      detachedDisks: [],
    });
    const from = vmFolder(this.library.root, id);
    const qemuImg = source.disks.length > 0 ? requireQemuImg(await this.hostFacts()) : undefined;
    const to = await this.library.createFolder(newId);
    try {
      const sizes = await Promise.all(source.disks.map((d) => diskBytes(path.join(from, d.file))));
      const total = sizes.reduce((a, b) => a + b, 0);
      let before = 0;
      for (const [i, disk] of source.disks.entries()) {
        const label = `Copying disk ${i + 1} of ${source.disks.length}`;
        const size = sizes[i]!;
        const start = before;
        report({ done: start, total, label });
        await assertDiskFileNotLink(path.join(from, disk.file));
        await cloneImage({
          source: path.join(from, disk.file),
          target: path.join(to, disk.file),
          format: disk.format,
          qemuImg,
          // The original's chain stays in its own folder, as at its start.
          libraryRoot: from,
          snapshot: disk.readOnly ? undefined : snapshot?.tag,
          onProgress: (fraction) => report({ done: start + Math.round(fraction * size), total, label }),
        });
        before += size;
      }
      await copyFile(snapshot?.efiVars ?? path.join(from, EFI_VARS_FILE), path.join(to, EFI_VARS_FILE), fsConstants.COPYFILE_EXCL).catch(
        (e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
        },
      );
      await copyTpmState(from, to);
      await this.library.write(config);
      return config;
    } catch (e) {
      await this.library.remove(newId).catch(() => undefined);
      throw e;
    }
  }

  qemuImg(): Promise<string> {
    return this.hostFacts().then(requireQemuImg);
  }

  async delete(id: string, confirmName: string): Promise<void> {
    const config = await this.library.read(id);
    const why = whyNot(this.hooks.stateOf(id), 'delete');
    if (why) throw new OpenUtmError('INVALID_STATE', why);
    if (confirmName !== config.name) {
      throw new OpenUtmError('CONFLICT', `to delete this VM, confirm with its exact name ${JSON.stringify(config.name)}`);
    }
    await this.library.remove(id);
  }

  // What a file chosen for VM `id` is checked against.
  guard(id: string | null): HelperFileGuard {
    return { places: () => this.hooks.helperPlaces(), ownVm: id };
  }

  // Resolves every ISO now, so a missing or odd file is refused at edit time, not at boot; the
  // kernel and initrd are checked too (and resolved again at start).
  private async checkMedia(config: VmConfig, id: string | null): Promise<VmConfig> {
    const guard = this.guard(id);
    const removable = await Promise.all(
      config.removable.map(async (d) => ({ ...d, iso: d.iso === null ? null : await resolveUserFile(d.iso, 'ISO image', guard) })),
    );
    if (config.linuxBoot !== null) {
      await resolveUserFile(config.linuxBoot.kernel, 'kernel', guard);
      if (config.linuxBoot.initrd !== null) await resolveUserFile(config.linuxBoot.initrd, 'initrd', guard);
    }
    return { ...config, removable };
  }
}

// A source disk's size in bytes (at least 1, so an empty one still counts as a step).
async function diskBytes(file: string): Promise<number> {
  try {
    return Math.max(1, (await stat(file)).size);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new OpenUtmError('NOT_FOUND', `the disk image ${file} is missing, so the VM cannot be cloned; restore it or remove the disk from the VM`);
    throw new OpenUtmError('IO_ERROR', `could not read ${file}: ${err.message}`, { errno: err.code });
  }
}

function requireQemuImg(facts: HostFacts): string {
  if (!facts.qemuImg) {
    throw new OpenUtmError('QEMU_NOT_FOUND', 'qemu-img is needed to create disks and was not found; `openutm doctor` says how to install it');
  }
  return facts.qemuImg;
}

function asConfigError(e: unknown): OpenUtmError {
  if (e instanceof OpenUtmError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new OpenUtmError('CONFIG_INVALID', `the change makes the configuration invalid: ${message}`);
}
