import { newVmConfig, VmConfig, type OsPreset, type VmCreateRequest } from '@openutm/shared';
import { runtimePathsFor, type ControlEndpoint, type RuntimePaths } from '../../runtime/runtime-paths';
import type { BuildOptions } from '../build-context';

export const VM_ID = 'abcdef12';
// The run token of the Windows fixtures' named pipes.
export const WIN_RUN = '0123456789abcdef0123456789abcdef';

// A config as the wizard would create it from a preset, then edited field by field. The edits
// are applied after newVmConfig and validated as a whole, because newVmConfig resets a whole
// section to schema defaults when the request names any field of it.
export function presetConfig(preset: OsPreset, edit: (c: VmConfig) => VmConfig = (c) => c, request: Partial<VmCreateRequest> = {}): VmConfig {
  const base = newVmConfig({ name: `Test ${preset}`, preset, ...request }, { id: VM_ID, now: new Date('2025-01-01T00:00:00Z') });
  return VmConfig.parse(edit(base));
}

// Changes the guest architecture the way a fixed wizard would, keeping the preset's choices.
export function asAarch64(c: VmConfig): VmConfig {
  return { ...c, system: { ...c.system, architecture: 'aarch64' } };
}

// Runtime paths as the helper lays them out on each host OS.
export function pathsFor(os: 'linux' | 'darwin' | 'win32', root?: string): RuntimePaths {
  if (os === 'win32') {
    return runtimePathsFor(root ?? 'C:\\Users\\me\\AppData\\Local\\Temp\\openutm\\1a2b3c4d', VM_ID, 'win32', {
      qmp: 50101,
      spice: 50102,
      vnc: 5911,
      serial: 50104,
      guestAgent: 50105,
      tpm: 50106,
      run: WIN_RUN,
    });
  }
  return runtimePathsFor(root ?? (os === 'linux' ? '/run/user/1000/openutm/1a2b3c4d' : '/tmp/openutm-501/1a2b3c4d'), VM_ID, os);
}

export function optionsFor(os: 'linux' | 'darwin' | 'win32', extra: Partial<BuildOptions> = {}): BuildOptions {
  const vmFolder = os === 'win32' ? `C:\\Users\\me\\OpenUTM\\vms\\${VM_ID}` : `/home/me/.local/share/openutm/vms/${VM_ID}`;
  return { vmFolder, efiVarsPath: `${vmFolder}${os === 'win32' ? '\\' : '/'}efi-vars.fd`, ...extra };
}

// The path of a unix-socket endpoint; fails for TCP ones.
export function socketPath(endpoint: ControlEndpoint): string {
  if (endpoint.kind !== 'unix') throw new Error(`expected a unix socket endpoint, got ${JSON.stringify(endpoint)}`);
  return endpoint.path;
}
