import { Accelerator, OpenUtmError, type HostFacts } from '@openutm/shared';
import { gatherHostFacts } from '../host/doctor';
import { defaultLibraryRoot } from '../vm-library/library-paths';
import { defaultRuntimeRoot } from '../runtime/runtime-paths';
import { VmEngine } from '../vm-service/vm-engine';

// OPENUTM_ACCEL overrides the accelerator for every VM (e.g. tcg where KVM misbehaves).
export function acceleratorOverride(env: NodeJS.ProcessEnv): Accelerator | undefined {
  const raw = env.OPENUTM_ACCEL?.trim();
  if (!raw || raw === 'auto') return undefined;
  const parsed = Accelerator.safeParse(raw);
  if (!parsed.success) {
    throw new OpenUtmError('CONFIG_INVALID', `OPENUTM_ACCEL=${raw} is not an accelerator; use one of auto, ${Accelerator.options.join(', ')}`);
  }
  return parsed.data;
}

// OPENUTM_QEMU_ENDPOINTS=tcp (tests and diagnosis only): loopback TCP with a display password
// even where unix sockets exist, to exercise the Windows path on Linux and macOS.
export function qemuEndpoints(env: NodeJS.ProcessEnv): 'unix' | 'tcp' | undefined {
  const raw = env.OPENUTM_QEMU_ENDPOINTS?.trim();
  if (!raw) return undefined;
  if (raw !== 'unix' && raw !== 'tcp') {
    throw new OpenUtmError('CONFIG_INVALID', `OPENUTM_QEMU_ENDPOINTS=${raw} is not an endpoint kind; use unix or tcp, or leave it unset`);
  }
  return raw;
}

// Host facts are probed at most once per process, and only when something needs them.
export function lazyHostFacts(): () => Promise<HostFacts> {
  let facts: Promise<HostFacts> | null = null;
  return () => (facts ??= gatherHostFacts());
}

// The engine configured the way DESIGN.md's environment variables say.
export function openEngineFromEnv(env: NodeJS.ProcessEnv = process.env, purpose?: string): Promise<VmEngine> {
  const home = defaultLibraryRoot(env);
  return VmEngine.open({
    home,
    purpose: purpose ?? `the openutm CLI (pid ${process.pid})`,
    runtimeRoot: defaultRuntimeRoot(home),
    hostFacts: lazyHostFacts(),
    acceleratorOverride: acceleratorOverride(env),
    endpoints: qemuEndpoints(env),
  });
}
