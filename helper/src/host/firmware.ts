import { readdir, readFile, stat } from 'node:fs/promises';
import type { HostOs } from '@openutm/shared';
import { firmwareFromDescriptor, type FirmwareCandidate } from './firmware-descriptor';
import { firmwareDescriptorDirs, orderFirmware, orderDescriptorFiles, wellKnownFirmware } from './firmware-paths';
import { pathFor, type Env } from './host-platform';

export interface FirmwareSearch {
  os: HostOs;
  env: Env;
  // QEMU's data directories (see qemuDataDirs), best first.
  dataDirs: readonly string[];
}

// Finds the UEFI firmware pairs installed on this host: QEMU's firmware descriptors first (they
// say exactly what each file is), then well-known package paths. Only pairs whose code and vars
// files both exist are returned, in the order orderFirmware defines.
export async function discoverFirmware(search: FirmwareSearch): Promise<FirmwareCandidate[]> {
  const [described, known] = await Promise.all([
    fromDescriptors(search),
    keepExisting(wellKnownFirmware(search.os, search.dataDirs)),
  ]);
  return orderFirmware([...described, ...known]);
}

async function fromDescriptors({ os, env, dataDirs }: FirmwareSearch): Promise<FirmwareCandidate[]> {
  const p = pathFor(os);
  const dirs = firmwareDescriptorDirs(os, env, dataDirs);
  const listings = await Promise.all(dirs.map(async (dir) => ({ dir, files: await readdir(dir).catch(() => []) })));
  const files = orderDescriptorFiles(os, listings);
  const perFile = await Promise.all(
    files.map(async (file) => {
      const text = await readFile(file, 'utf8').catch(() => '');
      // An empty file is how a user masks a system descriptor; a broken one is skipped, not fatal.
      if (text.trim() === '') return [];
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return [];
      }
      // Relocated installs (a moved Homebrew prefix) keep stale absolute paths in descriptors:
      // then look for the same file names in the data directory the descriptor sits in.
      const dataDir = p.dirname(p.dirname(file));
      const resolved = await Promise.all(
        firmwareFromDescriptor(json).map(async (f) => {
          const [code, vars] = await Promise.all([existingOrBeside(f.code, dataDir, os), existingOrBeside(f.vars, dataDir, os)]);
          return code && vars ? { ...f, code, vars } : null;
        }),
      );
      return resolved.filter((f): f is FirmwareCandidate => f !== null);
    }),
  );
  return perFile.flat();
}

async function existingOrBeside(file: string, dataDir: string, os: HostOs): Promise<string | null> {
  if (await isFile(file)) return file;
  const beside = pathFor(os).join(dataDir, pathFor(os).basename(file));
  return (await isFile(beside)) ? beside : null;
}

async function keepExisting(candidates: FirmwareCandidate[]): Promise<FirmwareCandidate[]> {
  const ok = await Promise.all(candidates.map(async (c) => (await isFile(c.code)) && (await isFile(c.vars))));
  return candidates.filter((_, i) => ok[i]);
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}
