import type { AcceleratorProbe, QemuBinary } from '@openutm/shared';
import { probeCpuModel } from './accelerator-probe';
import { hardwareAcceleratorFor, worthProbing, type AcceleratorInput } from './accelerators';
import { defaultProbeCacheDir } from './probe-cache';
import { proveAccelerator } from './prove-accelerator';

// gatherHostFacts' say in the probe: its cache folder and time limit.
export interface HardwareProbeOptions {
  // undefined: OpenUTM's cache folder; null: no cache.
  cacheDir?: string | null;
  timeoutMs?: number;
}

// The probe of the host's hardware accelerator with its own-architecture QEMU, when the cheap
// checks (device, framework, binary) leave it worth one; undefined when they already rule it out.
export async function probeHardwareAccelerator(
  input: AcceleratorInput,
  binary: QemuBinary | undefined,
  opts: HardwareProbeOptions = {},
): Promise<AcceleratorProbe | undefined> {
  if (!binary || !worthProbing(input)) return undefined;
  const accelerator = hardwareAcceleratorFor(input.os);
  const target = { accelerator, architecture: binary.architecture };
  const cacheDir = opts.cacheDir === undefined ? defaultProbeCacheDir() : opts.cacheDir;
  const verdict = await proveAccelerator(binary, target, { cacheDir, timeoutMs: opts.timeoutMs });
  return { accelerator, cpuModel: probeCpuModel(accelerator), ...verdict };
}
