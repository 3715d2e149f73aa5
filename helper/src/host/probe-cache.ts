import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import envPaths from 'env-paths';
import { z } from 'zod';
import { writeFileAtomic } from '../vm-library/atomic-write';
import { probeCpuModel, type ProbeTarget, type ProbeVerdict } from './accelerator-probe';

// The cache's file name in OpenUTM's cache folder (uninstall removes the folder with it).
export const PROBE_CACHE_FILE = 'accelerator-probes.json';

const CacheFile = z.object({
  bootId: z.string(),
  verdicts: z.record(z.string(), z.object({ ok: z.boolean(), reason: z.string().nullable() })),
});

// Where verdicts are kept: OpenUTM's cache folder (env-paths).
export function defaultProbeCacheDir(): string {
  return envPaths('OpenUTM', { suffix: '' }).cache;
}

// What identifies this boot of the host: whether an accelerator works can change with a reboot
// (a kernel module, nested virtualization turned on), never in between.
export async function hostBootId(): Promise<string> {
  const id = await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => null);
  if (id?.trim()) return id.trim();
  // Elsewhere: the boot time, to the minute (uptime is read in whole seconds).
  return `boot-${Math.round((Date.now() / 1000 - os.uptime()) / 60)}`;
}

// One verdict per QEMU binary, version, accelerator and CPU model.
export function probeCacheKey(binary: string, version: string, target: ProbeTarget): string {
  return [binary, version, target.architecture, target.accelerator, probeCpuModel(target.accelerator)].join('|');
}

// Where one verdict lives: the folder, this boot, and the key of binary, version and target.
export interface CachedProbe {
  cacheDir: string;
  bootId: string;
  key: string;
}

// The verdict recorded during this boot, if any; a file from another boot or unreadable counts as none.
export async function readCachedVerdict(c: CachedProbe): Promise<ProbeVerdict | null> {
  const file = await readCache(c.cacheDir);
  return file?.bootId === c.bootId ? (file.verdicts[c.key] ?? null) : null;
}

// Adds a verdict, dropping those of earlier boots; written atomically so a concurrent reader
// never sees half a file (two writers at once may lose one verdict, which only costs a probe).
export async function writeCachedVerdict(c: CachedProbe, verdict: ProbeVerdict): Promise<void> {
  const file = await readCache(c.cacheDir);
  const verdicts = file?.bootId === c.bootId ? file.verdicts : {};
  await mkdir(c.cacheDir, { recursive: true, mode: 0o700 });
  const next = { bootId: c.bootId, verdicts: { ...verdicts, [c.key]: verdict } };
  await writeFileAtomic(path.join(c.cacheDir, PROBE_CACHE_FILE), JSON.stringify(next, null, 2) + '\n');
}

async function readCache(dir: string): Promise<z.infer<typeof CacheFile> | null> {
  try {
    return CacheFile.parse(JSON.parse(await readFile(path.join(dir, PROBE_CACHE_FILE), 'utf8')));
  } catch {
    return null;
  }
}
