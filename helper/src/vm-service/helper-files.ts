import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import envPaths from 'env-paths';
import { OpenUtmError } from '@openutm/shared';
import { SECRETS_FILE } from '../auth/secrets-store';
import { resolvePhysically } from '../disk-images/backing-check';
import { LOCK_FILE, LOGS_DIR, VMS_DIR } from '../vm-library/library-paths';

// The places the helper keeps for itself, as real paths (links resolved). A file chosen as an
// ISO, kernel, initrd or import source must lie in none of them: the guest reads what it is
// given, so attaching secrets.json as a CD would hand a guest every paired client's token.
export interface HelperPlaces {
  libraryRoot: string;
  runtimeRoot: string;
  // OpenUTM's own OS folders besides the library (settings, logs).
  configDirs: string[];
  // The (device, inode) of secrets.json when it exists, so a hard link to it is refused too.
  secretsId: string | null;
}

// Which place a path is in, and the words that say so. ownVm is the id of the VM the file is
// for (null while a VM is being created). A VM's own folder is allowed: everything in it is that
// guest's already (it reads and writes its disks), a detached disk left there may be imported
// again, and an ISO kept in the bundle travels with it on export.
export function whyHelperFile(target: string, places: HelperPlaces, ownVm: string | null, p: path.PlatformPath = path): string | null {
  const inside = (dir: string) => {
    const rel = p.relative(dir, target);
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${p.sep}`) && !p.isAbsolute(rel));
  };
  if (inside(places.runtimeRoot)) return 'inside the helper\'s runtime folder (QEMU\'s sockets, pid files and display passwords)';
  for (const dir of places.configDirs) if (inside(dir)) return 'inside OpenUTM\'s own settings and logs';
  const vms = p.join(places.libraryRoot, VMS_DIR);
  if (inside(vms)) {
    const first = p.relative(vms, target).split(p.sep)[0];
    if (ownVm !== null && first === ownVm && target !== p.join(vms, ownVm)) return null;
    return 'inside another VM\'s folder in the library';
  }
  if (!inside(places.libraryRoot)) return null;
  const name = p.relative(places.libraryRoot, target).split(p.sep)[0]!;
  if (name === SECRETS_FILE || name.startsWith(`.${SECRETS_FILE}.`)) return 'the helper\'s secrets file (the tokens of paired browsers and of the CLI)';
  if (name === LOCK_FILE || name.startsWith(`${LOCK_FILE}.`)) return 'the library lock';
  if (name === LOGS_DIR) return 'inside the helper\'s own logs';
  return null;
}

// Gathers the places once per check, resolved; folders that do not exist yet are judged by the
// real path they would have.
export async function helperPlaces(input: { libraryRoot: string; runtimeRoot: string; configDirs?: string[] }): Promise<HelperPlaces> {
  const real = (p: string) => realpath(p);
  const resolve = async (p: string) => (await resolvePhysically(path.resolve(p), real)) ?? path.resolve(p);
  const secrets = await stat(path.join(input.libraryRoot, SECRETS_FILE)).catch(() => null);
  return {
    libraryRoot: await resolve(input.libraryRoot),
    runtimeRoot: await resolve(input.runtimeRoot),
    configDirs: await Promise.all((input.configDirs ?? openUtmConfigDirs(input.libraryRoot)).map(resolve)),
    secretsId: secrets ? `${secrets.dev}:${secrets.ino}` : null,
  };
}

// env-paths' settings and log folders for OpenUTM. The cache is left out on purpose: downloads
// of installer images may live there one day, and those are meant to be attached.
export function openUtmConfigDirs(libraryRoot: string): string[] {
  const dirs = envPaths('OpenUTM', { suffix: '' });
  return [dirs.config, dirs.log].filter((d) => path.resolve(d) !== path.resolve(libraryRoot));
}

// What a user file is checked against: the places, and which VM it is for.
export interface HelperFileGuard {
  places: () => Promise<HelperPlaces>;
  ownVm: string | null;
}

// Refuses a resolved user file that is one of the helper's own; `shown` is the path as given.
export async function assertNotHelperFile(real: string, shown: string, what: string, guard: HelperFileGuard): Promise<void> {
  const places = await guard.places();
  let why = whyHelperFile(real, places, guard.ownVm);
  if (why === null && places.secretsId !== null) {
    const info = await stat(real).catch(() => null);
    if (info && `${info.dev}:${info.ino}` === places.secretsId) why = 'a hard link to the helper\'s secrets file';
  }
  if (why === null) return;
  throw new OpenUtmError(
    'UNSAFE_PATH',
    `the ${what} ${shown} is ${why}${real !== shown ? ` (it resolves to ${real})` : ''}. OpenUTM never hands its own files to a guest; choose a file of your own.`,
    { path: shown, resolved: real },
  );
}
