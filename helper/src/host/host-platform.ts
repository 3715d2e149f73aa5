import path from 'node:path';
import type { Architecture, HostFacts, HostOs } from '@openutm/shared';

// The environment as a plain record, so tests can pass a literal instead of process.env.
export type Env = Readonly<Record<string, string | undefined>>;

// Node's platform names narrowed to the three OpenUTM supports; other Unixes search like Linux.
export function hostOsOf(platform: NodeJS.Platform): HostOs {
  if (platform === 'darwin' || platform === 'win32') return platform;
  return 'linux';
}

// Node's arch names narrowed to the two host architectures OpenUTM knows.
export function hostArchOf(arch: string): HostFacts['arch'] {
  return arch === 'arm64' ? 'arm64' : 'x64';
}

// The guest architecture that hardware acceleration can run on this host.
export function nativeArchitecture(arch: HostFacts['arch']): Architecture {
  return arch === 'arm64' ? 'aarch64' : 'x86_64';
}

// Path functions for the target OS, not the one running the code, so Windows logic tests on Linux.
export function pathFor(os: HostOs): path.PlatformPath {
  return os === 'win32' ? path.win32 : path.posix;
}

// Reads a variable the way the OS does: Windows names are case-insensitive (Path, PATH, path).
export function envValue(env: Env, name: string, os: HostOs): string | undefined {
  const exact = env[name];
  if (exact !== undefined || os !== 'win32') return exact;
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

// The PATH directories in order; Windows entries may be quoted, empty entries mean nothing here.
export function pathDirs(env: Env, os: HostOs): string[] {
  const raw = envValue(env, 'PATH', os) ?? '';
  const sep = os === 'win32' ? ';' : ':';
  return raw
    .split(sep)
    .map((d) => d.trim().replace(/^"(.*)"$/, '$1'))
    .filter((d) => d !== '');
}

// A program's file name as the OS spells it.
export function exeName(name: string, os: HostOs): string {
  return os === 'win32' ? `${name}.exe` : name;
}
