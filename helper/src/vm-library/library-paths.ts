import path from 'node:path';
import envPaths from 'env-paths';
import { OpenUtmError, VmId } from '@openutm/shared';

// File and folder names inside the library; one place so export/import and the engine agree.
export const VMS_DIR = 'vms';
export const CONFIG_FILE = 'vm.json';
export const EFI_VARS_FILE = 'efi-vars.fd';
export const LOGS_DIR = 'logs';
export const SCREENSHOTS_DIR = 'screenshots';
export const LOCK_FILE = '.lock';

// The library root: OPENUTM_HOME when set (tests, portable installs), else the OS data dir.
// The empty suffix keeps the folder named plainly "OpenUTM" instead of "OpenUTM-nodejs".
export function defaultLibraryRoot(env: Record<string, string | undefined> = process.env): string {
  const home = env.OPENUTM_HOME;
  if (home !== undefined && home !== '') return path.resolve(home);
  return envPaths('OpenUTM', { suffix: '' }).data;
}

// The folder holding every VM bundle.
export function vmsDir(root: string): string {
  return path.join(root, VMS_DIR);
}

// One VM's bundle folder. The id is validated first, so a hostile id ("../x") is never joined.
export function vmFolder(root: string, id: string): string {
  const parsed = VmId.safeParse(id);
  if (!parsed.success) {
    throw new OpenUtmError('NOT_FOUND', `"${id.slice(0, 64)}" is not a VM id (6 to 32 lowercase letters and digits); list the VMs to find the right one`);
  }
  return path.join(root, VMS_DIR, parsed.data);
}

// Every path of one VM bundle, for callers that need more than the folder.
export interface VmBundlePaths {
  folder: string;
  config: string;
  efiVars: string;
  logs: string;
  screenshots: string;
}

// Lays out one VM bundle; disk files are named by the config (BundleFileName) and joined by the caller.
export function vmBundlePaths(root: string, id: string): VmBundlePaths {
  const folder = vmFolder(root, id);
  return {
    folder,
    config: path.join(folder, CONFIG_FILE),
    efiVars: path.join(folder, EFI_VARS_FILE),
    logs: path.join(folder, LOGS_DIR),
    screenshots: path.join(folder, SCREENSHOTS_DIR),
  };
}
