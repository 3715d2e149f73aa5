import { readFile, realpath } from 'node:fs/promises';
import os from 'node:os';
import { Architecture, HostFacts, type QemuBinary } from '@openutm/shared';
import { effectiveAccelerators } from './effective-accelerators';
import { hvSupported, kvmDeviceState, usableAccelerators, type KvmDevice } from './accelerators';
import { probeHardwareAccelerator } from './probe-hardware';
import { firstExecutable, isExecutableFile, type ExecutableCheck } from './find-executable';
import { qemuCandidates, toolCandidates, type SearchContext } from './find-qemu';
import { discoverFirmware } from './firmware';
import { qemuDataDirs } from './firmware-paths';
import { hostArchOf, hostOsOf, envValue, nativeArchitecture, pathFor, type Env } from './host-platform';
import { hostProblems } from './host-problems';
import { parseOsRelease, type OsRelease } from './install-hints';
import { probeQemu } from './probe-qemu';
import { swtpmVersion } from './swtpm-version';
import type { RunProgram } from './run-program';

export interface GatherOptions {
  // Defaults: process.env, process.platform, process.arch.
  env?: Env;
  platform?: NodeJS.Platform;
  arch?: string;
  // The text of /etc/os-release (read on Linux when not given; null: unknown distribution).
  osRelease?: string | null;
  // Replaces the spawning of QEMU and sysctl, for tests.
  run?: RunProgram;
  // Per QEMU question; they all run at once. Default 5 s.
  probeTimeoutMs?: number;
  isExecutable?: ExecutableCheck;
  // Where KVM lives; Linux only. Default: OPENUTM_KVM_DEVICE, else /dev/kvm.
  kvmDevice?: string;
  // Where accelerator probe verdicts are kept for this boot; null keeps none. Default: the cache folder.
  probeCacheDir?: string | null;
  // How long the probe guest gets to report. Default 2 s.
  acceleratorProbeTimeoutMs?: number;
}

// Finds and probes everything a VM needs on this host, once: the argument builder, the wizard and
// `openutm doctor` all read the result. Never throws for a missing piece; it becomes a problem.
export async function gatherHostFacts(opts: GatherOptions = {}): Promise<HostFacts> {
  const env = opts.env ?? process.env;
  const hostOs = hostOsOf(opts.platform ?? process.platform);
  const arch = hostArchOf(opts.arch ?? process.arch);
  const ctx: SearchContext = { os: hostOs, env, native: nativeArchitecture(arch) };
  const check = opts.isExecutable ?? isExecutableFile;

  // 1. Which QEMU binaries exist: first candidate per architecture wins.
  const found = await Promise.all(
    Architecture.options.map(async (architecture) => ({ architecture, path: await firstExecutable(qemuCandidates(ctx, architecture), check) })),
  );
  const located = found.filter((f): f is { architecture: Architecture; path: string } => f.path !== null);
  const binDirs = located.map((f) => pathFor(hostOs).dirname(f.path));

  // 2. Everything else at once: probes, helper programs, firmware, accelerator checks, distro.
  const [probes, qemuImg, swtpm, firmware, kvmDevice, hvSupport, release] = await Promise.all([
    Promise.all(located.map((f) => probeQemu(f.path, f.architecture, { run: opts.run, timeoutMs: opts.probeTimeoutMs }))),
    firstExecutable(toolCandidates(ctx, 'qemu-img', binDirs), check),
    firstExecutable(toolCandidates(ctx, 'swtpm', []), check),
    dataDirsOf(hostOs, env, located.map((f) => f.path)).then((dataDirs) => discoverFirmware({ os: hostOs, env, dataDirs })),
    hostOs === 'linux' ? kvmDeviceState(kvmDevicePath(opts, env)) : Promise.resolve<KvmDevice>('missing'),
    hostOs === 'darwin' ? hvSupported(opts.run) : Promise.resolve(false),
    hostOs === 'linux' ? osReleaseOf(opts.osRelease) : Promise.resolve(null),
  ]);

  const swtpmVersionText = swtpm === null ? null : await swtpmVersion(swtpm, opts.run, opts.probeTimeoutMs);

  // 3. What works, and what is missing.
  const qemu: QemuBinary[] = probes.flatMap((p) => (p.ok ? [p.binary] : []));
  const broken = probes.flatMap((p, i) => (p.ok ? [] : [{ path: p.path, architecture: located[i]!.architecture, reason: p.reason }]));
  const nativeBinary = qemu.find((q) => q.architecture === ctx.native);
  const accelInput = { os: hostOs, listed: nativeBinary?.accelerators ?? null, kvmDevice, hvSupport };
  // 4. A hardware accelerator that passes the cheap checks must still run a probe guest.
  const acceleratorProbe = await probeHardwareAccelerator(accelInput, nativeBinary, {
    cacheDir: opts.probeCacheDir,
    timeoutMs: opts.acceleratorProbeTimeoutMs,
  });
  const { accelerators, hardware } = usableAccelerators({ ...accelInput, probe: acceleratorProbe });
  const firmwareFiles = firmware.map(({ architecture, code, vars, secureBoot }) => ({ architecture, code, vars, secureBoot }));
  const problems = hostProblems({
    os: hostOs,
    native: ctx.native,
    release,
    qemu,
    broken,
    qemuImg,
    swtpm,
    firmware: firmwareFiles,
    accelerators,
    hardware,
    probe: acceleratorProbe,
    kvmDevicePath: kvmDevicePath(opts, env),
    qemuOverride: envValue(env, 'OPENUTM_QEMU', hostOs)?.trim() || undefined,
    accelOverride: envValue(env, 'OPENUTM_ACCEL', hostOs),
  });

  const gathered = {
    os: hostOs,
    arch,
    cpus: os.availableParallelism(),
    memoryMiB: Math.floor(os.totalmem() / 2 ** 20),
    qemu,
    qemuImg,
    swtpm,
    swtpmVersion: swtpmVersionText,
    accelerators,
    firmware: firmwareFiles,
    problems,
    acceleratorProbe,
  };
  return HostFacts.parse({ ...gathered, effectiveAccelerators: effectiveAccelerators(gathered, envValue(env, 'OPENUTM_ACCEL', hostOs)) });
}

// OPENUTM_KVM_DEVICE (tests and diagnosis): a path that does not exist makes this a host without KVM.
function kvmDevicePath(opts: GatherOptions, env: Env): string {
  return opts.kvmDevice ?? (envValue(env, 'OPENUTM_KVM_DEVICE', 'linux')?.trim() || '/dev/kvm');
}

// Data directories from the binaries as found and as resolved: Homebrew links bin/ into the
// Cellar, and either side may be where share/qemu is complete.
async function dataDirsOf(hostOs: HostFacts['os'], env: Env, binaries: string[]): Promise<string[]> {
  const real = await Promise.all(binaries.map((b) => realpath(b).catch(() => b)));
  return qemuDataDirs(hostOs, env, [...binaries, ...real]);
}

async function osReleaseOf(given: string | null | undefined): Promise<OsRelease | null> {
  if (given === null) return null;
  const text = given ?? (await readFile('/etc/os-release', 'utf8').catch(() => readFile('/usr/lib/os-release', 'utf8').catch(() => null)));
  return text === null ? null : parseOsRelease(text);
}
