import { lstat, mkdir, readFile, readdir, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  MIGRATIONS,
  OpenUtmError,
  VM_CONFIG_SCHEMA_VERSION,
  VmConfig,
  VmId,
  migrateVmConfig,
  type Migration,
  type VmConfigInput,
} from '@openutm/shared';
import { cleanStaleTemps, writeFileAtomic } from './atomic-write';
import { LibraryLock } from './library-lock';
import { LOGS_DIR, vmBundlePaths, vmFolder, vmsDir } from './library-paths';

// A VM folder whose vm.json cannot be used; listed so one bad file never hides the other VMs.
export interface BrokenVm {
  id: string;
  error: OpenUtmError;
}

export interface VmLibraryOptions {
  // Written into the lock so a second helper can say who owns the library and how to reach it.
  purpose?: string;
  // Injected by tests; the shipped helper uses shared's MIGRATIONS.
  migrations?: readonly Migration[];
}

const DEFAULT_PURPOSE = 'an OpenUTM helper';

// The VM library on disk: one folder per VM under <root>/vms. Every read reads the file (another
// tool or a restored backup may have changed it), and every write is atomic.
export class VmLibrary {
  private lock: LibraryLock | null = null;
  // Folders this process created and has not yet written a vm.json into; list() skips them,
  // so a VM being created (disks can take a while) does not flash up as broken.
  private readonly creating = new Set<string>();
  private readonly migrations: readonly Migration[];

  constructor(
    readonly root: string,
    private readonly options: VmLibraryOptions = {},
  ) {
    this.migrations = options.migrations ?? MIGRATIONS;
  }

  // Creates the library folders (private to the user), takes the lock, and cleans up temp files
  // a killed helper left in VM folders.
  async open(): Promise<void> {
    if (this.lock) return;
    await mkdir(vmsDir(this.root), { recursive: true, mode: 0o700 }).catch((e: unknown) => {
      throw ioError(`could not create the VM library at ${this.root}`, e);
    });
    this.lock = await LibraryLock.acquire(this.root, { purpose: this.options.purpose ?? DEFAULT_PURPOSE });
    try {
      for (const id of await this.folderNames()) {
        if (!VmId.safeParse(id).success) continue;
        const folder = vmFolder(this.root, id);
        await cleanStaleTemps(folder);
        await cleanStaleTemps(path.join(folder, LOGS_DIR));
      }
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  // Lets go of the library so another helper may open it.
  async close(): Promise<void> {
    const lock = this.lock;
    this.lock = null;
    await lock?.release();
  }

  // One VM's bundle folder (validated id; never outside the library).
  vmFolder(id: string): string {
    return vmFolder(this.root, id);
  }

  // The path of one VM's vm.json.
  configPath(id: string): string {
    return vmBundlePaths(this.root, id).config;
  }

  // Every VM in the library, plus the folders whose vm.json could not be read and why.
  async list(): Promise<{ configs: VmConfig[]; broken: BrokenVm[] }> {
    const names = (await this.folderNames()).filter((n) => !this.creating.has(n));
    const results = await Promise.all(
      names.map(async (id): Promise<VmConfig | BrokenVm> => {
        try {
          return await this.read(id);
        } catch (e) {
          return { id, error: asOpenUtmError(e, `could not read the VM in ${path.join(vmsDir(this.root), id)}`) };
        }
      }),
    );
    const configs: VmConfig[] = [];
    const broken: BrokenVm[] = [];
    for (const r of results) {
      if ('error' in r) broken.push(r);
      else configs.push(r);
    }
    // Code-point order, not localeCompare: the collator costs the helper ~3 MB of resident ICU
    // data, and every client that shows a list (the UI, the CLI) sorts for its own locale anyway.
    configs.sort((a, b) => codePointOrder(a.name.toLowerCase(), b.name.toLowerCase()) || codePointOrder(a.id, b.id));
    broken.sort((a, b) => codePointOrder(a.id, b.id));
    return { configs, broken };
  }

  // Reads, migrates and validates one vm.json. A config migrated from an older version is written
  // back, so the file on disk is always in the format this helper writes.
  async read(id: string): Promise<VmConfig> {
    const file = this.configPath(id);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new OpenUtmError('NOT_FOUND', `there is no VM "${id}" in the library (${file} does not exist); list the VMs to see which exist`);
      }
      throw ioError(`could not read ${file}`, e);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new OpenUtmError('CONFIG_INVALID', `${file} is not valid JSON (${(e as Error).message}); restore it from a backup or remove the VM`);
    }
    let config: VmConfig;
    try {
      config = migrateVmConfig(raw, this.migrations);
    } catch (e) {
      if (e instanceof OpenUtmError) throw new OpenUtmError(e.code, `${file}: ${e.message}`, e.details);
      throw e;
    }
    if (config.id !== id) {
      throw new OpenUtmError(
        'CONFIG_INVALID',
        `${file} says its VM id is "${config.id}" but it lives in the folder "${id}"; import copied VMs instead of copying folders`,
      );
    }
    const version = (raw as { schemaVersion?: unknown }).schemaVersion;
    // Only the lock holder writes; a reader without the lock still gets the migrated config.
    if (version !== VM_CONFIG_SCHEMA_VERSION && this.lock) await this.write(config);
    return config;
  }

  // Validates and saves a config into its (existing) folder. An invalid config is refused before
  // anything touches the disk, so the previous vm.json stays intact.
  async write(input: VmConfigInput | VmConfig): Promise<VmConfig> {
    this.requireOpen();
    const parsed = VmConfig.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw new OpenUtmError('CONFIG_INVALID', `the VM configuration is not valid: ${issues.join('; ')}`, { issues });
    }
    const config = parsed.data;
    const { folder, config: file } = vmBundlePaths(this.root, config.id);
    // A write into a removed VM would bring it back half-alive; the folder must exist already.
    if (!(await isDirectory(folder))) {
      throw new OpenUtmError('NOT_FOUND', `there is no folder for VM "${config.id}" (it was removed, or createFolder was not called first)`);
    }
    await writeFileAtomic(file, JSON.stringify(config, null, 2) + '\n');
    this.creating.delete(config.id);
    return config;
  }

  // Makes the folder of a new VM (with logs/ and screenshots/); refuses an id already in use.
  async createFolder(id: string): Promise<string> {
    this.requireOpen();
    const { folder, logs, screenshots } = vmBundlePaths(this.root, id);
    try {
      await mkdir(folder, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new OpenUtmError('CONFLICT', `a VM folder named "${id}" already exists in the library; pick another id`);
      }
      throw ioError(`could not create ${folder}`, e);
    }
    this.creating.add(id);
    try {
      await mkdir(logs, { mode: 0o700 });
      await mkdir(screenshots, { mode: 0o700 });
    } catch (e) {
      throw ioError(`could not create the folders inside ${folder}`, e);
    }
    return folder;
  }

  // Deletes a VM folder with everything in it. The target is checked twice (a valid id, and a
  // real directory that is a direct child of <root>/vms) because this is a recursive delete.
  async remove(id: string): Promise<void> {
    this.requireOpen();
    const parent = vmsDir(this.root);
    const folder = vmFolder(this.root, id);
    const rel = path.relative(parent, folder);
    if (rel !== id || rel.includes(path.sep) || path.isAbsolute(rel)) {
      throw new OpenUtmError('UNSAFE_PATH', `refusing to delete ${folder}: it is not a VM folder inside ${parent}`);
    }
    let stat;
    try {
      stat = await lstat(folder);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new OpenUtmError('NOT_FOUND', `there is no VM "${id}" in the library`);
      throw ioError(`could not inspect ${folder}`, e);
    }
    // A symlinked VM folder would make the delete reach wherever it points.
    if (!stat.isDirectory() || stat.isSymbolicLink()) {
      throw new OpenUtmError('UNSAFE_PATH', `refusing to delete ${folder}: it is not a plain folder; remove it by hand after checking what it is`);
    }
    const [realParent, realFolder] = await Promise.all([realpath(parent), realpath(folder)]);
    if (path.dirname(realFolder) !== realParent) {
      throw new OpenUtmError('UNSAFE_PATH', `refusing to delete ${folder}: it resolves to ${realFolder}, outside ${realParent}`);
    }
    try {
      // Retries ride out Windows' brief EBUSY/EPERM while a just-stopped QEMU lets go of a disk.
      await rm(folder, { recursive: true, maxRetries: 5, retryDelay: 100 });
    } catch (e) {
      throw ioError(`could not delete ${folder} completely; close anything using its files and remove the VM again`, e);
    }
    this.creating.delete(id);
  }

  private requireOpen(): void {
    if (!this.lock) throw new OpenUtmError('INTERNAL', 'the VM library must be opened (and locked) before it is changed');
  }

  // Names of the entries under vms/ that are directories and not hidden.
  private async folderNames(): Promise<string[]> {
    try {
      const entries = await readdir(vmsDir(this.root), { withFileTypes: true });
      return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw ioError(`could not read ${vmsDir(this.root)}`, e);
    }
  }
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await lstat(p)).isDirectory();
  } catch {
    return false;
  }
}

function asOpenUtmError(e: unknown, what: string): OpenUtmError {
  return e instanceof OpenUtmError ? e : ioError(what, e);
}

function ioError(what: string, e: unknown): OpenUtmError {
  if (e instanceof OpenUtmError) return e;
  const err = e as NodeJS.ErrnoException;
  return new OpenUtmError('IO_ERROR', `${what}: ${err.message}`, { errno: err.code });
}

function codePointOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
