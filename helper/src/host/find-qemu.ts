import type { Architecture, HostOs } from '@openutm/shared';
import { envValue, exeName, pathDirs, pathFor, type Env } from './host-platform';

export interface SearchContext {
  os: HostOs;
  env: Env;
  // The guest architecture this host can accelerate: the one a bare `qemu-kvm` runs.
  native: Architecture;
}

// Where package managers put programs when PATH does not say (GUI apps on macOS get a bare PATH).
export function wellKnownBinDirs(os: HostOs, env: Env): string[] {
  switch (os) {
    case 'darwin':
      // Homebrew on Apple silicon, Homebrew on Intel, MacPorts.
      return ['/opt/homebrew/bin', '/usr/local/bin', '/opt/local/bin'];
    case 'win32': {
      // The official installer's default; ProgramW6432 is the 64-bit one when we run as 32-bit.
      const roots = [envValue(env, 'ProgramFiles', os), envValue(env, 'ProgramW6432', os), 'C:\\Program Files'];
      return unique(roots.filter((r): r is string => !!r).map((r) => pathFor(os).join(r, 'qemu')));
    }
    case 'linux':
      return ['/usr/bin', '/usr/local/bin', '/bin'];
  }
}

// The architecture a binary's name promises, or null for names like qemu-kvm that do not say.
export function architectureOfName(file: string): Architecture | null {
  const m = /^qemu-system-(x86_64|aarch64)(?:\.exe)?$/i.exec(file);
  return m ? (m[1]!.toLowerCase() as Architecture) : null;
}

// Candidate paths for one architecture's QEMU, best first. OPENUTM_QEMU, when set, is the only
// place looked at: an explicit choice that silently falls back would hide a typo. It may name the
// binary itself or a directory holding qemu-system-*; both readings are listed and the caller
// keeps the first that is an executable file.
export function qemuCandidates(ctx: SearchContext, architecture: Architecture): string[] {
  const p = pathFor(ctx.os);
  const name = exeName(`qemu-system-${architecture}`, ctx.os);
  const override = envValue(ctx.env, 'OPENUTM_QEMU', ctx.os)?.trim();
  if (override) {
    const named = architectureOfName(p.basename(override));
    const asFile = named === architecture || (named === null && architecture === ctx.native);
    return unique([...(asFile ? [override] : []), p.join(override, name)]);
  }
  const dirs = unique([...pathDirs(ctx.env, ctx.os), ...wellKnownBinDirs(ctx.os, ctx.env)]);
  const found = dirs.map((d) => p.join(d, name));
  // RHEL and derivatives ship only the host architecture, as /usr/libexec/qemu-kvm.
  if (ctx.os === 'linux' && architecture === ctx.native) found.push('/usr/libexec/qemu-kvm');
  return unique(found);
}

// Candidate paths for a helper program (qemu-img, swtpm): beside QEMU first, so a QEMU chosen
// with OPENUTM_QEMU gets its own qemu-img, then PATH, then the package managers' directories.
export function toolCandidates(ctx: Pick<SearchContext, 'os' | 'env'>, tool: string, nearDirs: readonly string[]): string[] {
  const p = pathFor(ctx.os);
  const dirs = unique([...nearDirs, ...pathDirs(ctx.env, ctx.os), ...wellKnownBinDirs(ctx.os, ctx.env)]);
  return dirs.map((d) => p.join(d, exeName(tool, ctx.os)));
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
