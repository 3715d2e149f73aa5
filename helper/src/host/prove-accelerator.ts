import type { QemuBinary } from '@openutm/shared';
import type { ProbeFinding, ProbeTarget, ProbeVerdict } from './accelerator-probe';
import { hostBootId, probeCacheKey, readCachedVerdict, writeCachedVerdict } from './probe-cache';
import { runAcceleratorProbe, type RunProbeOptions } from './run-accelerator-probe';

// How proveAccelerator caches and times its probe.
export interface ProveOptions {
  // Where verdicts are cached; null: probe every time (and keep nothing).
  cacheDir: string | null;
  timeoutMs?: number;
  // Replaces the probe run, for tests of the caching around it.
  run?: (binary: string, target: ProbeTarget, opts: RunProbeOptions) => Promise<ProbeFinding>;
}

// A verdict, and whether this boot had already reached it.
export interface ProvenAccelerator extends ProbeVerdict {
  // The verdict came from an earlier probe during this boot.
  cached: boolean;
}

// Whether this QEMU binary runs guests with this accelerator: the verdict of this boot when one
// is kept, else a probe boot (whose lasting verdicts are kept). Never throws: a cache that cannot
// be read or written only costs another probe.
export async function proveAccelerator(binary: QemuBinary, target: ProbeTarget, opts: ProveOptions): Promise<ProvenAccelerator> {
  const run = opts.run ?? runAcceleratorProbe;
  const cache = opts.cacheDir === null ? null : { cacheDir: opts.cacheDir, bootId: await hostBootId(), key: probeCacheKey(binary.path, binary.version, target) };
  const kept = cache ? await readCachedVerdict(cache) : null;
  if (kept) return { ...kept, cached: true };
  const finding = await run(binary.path, target, { timeoutMs: opts.timeoutMs });
  const verdict = { ok: finding.ok, reason: finding.reason };
  if (cache && finding.lasting) await writeCachedVerdict(cache, verdict).catch(() => undefined);
  return { ...verdict, cached: false };
}
