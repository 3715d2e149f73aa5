import { OpenUtmError, type Accelerator, type HostFacts, type QemuBinary, type VmConfig } from '@openutm/shared';
import type { RuntimePaths } from '../runtime/runtime-paths';
import { chooseAccelerator } from './accelerator';
import { isQemuId } from './device-ids';
import { resolveDisplayProtocol, type DisplayProtocol } from './display';
import { resolveMachine, type MachineType } from './machine';

// What the caller knows that the config and host facts do not.
export interface BuildOptions {
  // The VM's folder: disk file names in vm.json are relative to it.
  vmFolder: string;
  // The VM's own copy of the UEFI variable store (the caller copies the template there before
  // the first boot; see QemuLaunch.firmware). Only used for UEFI VMs.
  efiVarsPath: string;
  // OPENUTM_ACCEL as read by the caller; it wins over the VM's own accelerator setting.
  acceleratorOverride?: Accelerator | undefined;
  // Try mode: disk id → the qcow2 overlay (a file of the VM folder) that disk runs on instead,
  // so the guest's writes land in the overlay and the disk stays as it was. The overlay names
  // its disk as backing file; QEMU opens that read-only by itself.
  tryOverlays?: Readonly<Record<string, string>> | undefined;
}

// Everything the sections of the command line read, decided once up front.
export interface BuildContext {
  config: VmConfig;
  host: HostFacts;
  binary: QemuBinary;
  paths: RuntimePaths;
  opts: BuildOptions;
  accelerator: Accelerator;
  machine: MachineType;
  display: DisplayProtocol;
  // The host's path separator (the builder also runs in tests for other host OSes).
  pathSeparator: '/' | '\\';
  // Sections append what the user should know but that does not stop the VM.
  warnings: string[];
}

// Picks the binary, accelerator, machine and display protocol, and checks the ids QEMU will see.
export function createBuildContext(config: VmConfig, host: HostFacts, paths: RuntimePaths, opts: BuildOptions): BuildContext {
  const binary = host.qemu.find((b) => b.architecture === config.system.architecture);
  if (!binary) {
    throw new OpenUtmError(
      'QEMU_NOT_FOUND',
      `no qemu-system-${config.system.architecture} was found on this ${host.os} host; install QEMU for that architecture or point OPENUTM_QEMU at it (\`openutm doctor\` says how)`,
    );
  }
  checkDriveIds(config);
  const warnings: string[] = [];
  const accel = chooseAccelerator(config, host, binary, opts.acceleratorOverride);
  warnings.push(...accel.warnings);
  const machine = resolveMachine(config, binary);
  const display = resolveDisplayProtocol(config, binary, warnings);
  if (config.system.cpus > host.cpus) {
    warnings.push(`this VM has ${config.system.cpus} CPUs but the host only ${host.cpus}; it will run slower than with ${host.cpus} or fewer`);
  }
  if (config.system.memoryMiB > host.memoryMiB) {
    warnings.push(`this VM has ${config.system.memoryMiB} MiB of memory but the host only ${host.memoryMiB} MiB; the host will swap`);
  }
  return {
    config,
    host,
    binary,
    paths,
    opts,
    accelerator: accel.accelerator,
    machine,
    display,
    pathSeparator: host.os === 'win32' ? '\\' : '/',
    warnings,
  };
}

// Disks and drives use their config id as QEMU device id (the service ejects and changes media
// by it), so those ids must be QEMU ids and distinct from each other.
function checkDriveIds(config: VmConfig): void {
  const ids = [...config.disks.map((d) => d.id), ...config.removable.map((r) => r.id)];
  const bad = ids.filter((id) => !isQemuId(id));
  if (bad.length > 0) {
    throw new OpenUtmError('CONFIG_INVALID', `drive ids must start with a letter; rename ${bad.join(', ')} in vm.json`);
  }
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dupes.length > 0) {
    throw new OpenUtmError('CONFIG_INVALID', `drive ids must be distinct across disks and removable drives; ${[...new Set(dupes)].join(', ')} is used twice`);
  }
}

// A file of the VM's folder. Plain concatenation, not path.join: vm.json names are bare file
// names (no separators, never '.' or '..'), and normalising the folder ('a/../b' → 'b') could
// point somewhere else than the folder the caller resolved when a component is a symlink.
export function fileInVmFolder(ctx: BuildContext, file: string): string {
  const folder = ctx.opts.vmFolder;
  return folder.endsWith(ctx.pathSeparator) ? folder + file : folder + ctx.pathSeparator + file;
}
