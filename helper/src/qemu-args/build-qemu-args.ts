import type { Accelerator, HostFacts, VmConfig } from '@openutm/shared';
import type { RuntimePaths } from '../runtime/runtime-paths';
import { acceleratorOptions, cpuOptions } from './accelerator';
import { createBuildContext, type BuildOptions } from './build-context';
import { controllerOptions } from './controllers';
import { monitorOptions, serialOptions } from './control-channels';
import { displayOptions } from './display';
import { driveOptions, linuxBootOptions } from './drives';
import { firmwareOptions, resolveFirmware, type FirmwarePlan } from './firmware';
import { clockOptions, machineOptions, memoryOptions, smpOptions } from './machine';
import { networkOptions } from './network';
import { flattenOptions } from './option-string';
import { processOptions, startOptions } from './process-options';
import { sharingOptions } from './sharing';
import { inputOptions, soundOptions } from './sound-input';
import { tpmOptions } from './tpm';

export type { BuildOptions } from './build-context';
export type { FirmwarePlan } from './firmware';

// What it takes to start the VM.
export interface QemuLaunch {
  // The qemu-system-<arch> to run (from host facts).
  binary: string;
  // Its argument array, for spawn() without a shell.
  args: string[];
  accelerator: Accelerator;
  // UEFI VMs: the flash pair. Before starting, the caller copies `varsTemplate` to `vars` when
  // `vars` does not exist yet (first boot); later boots keep the VM's own variables.
  firmware: FirmwarePlan | null;
  // Things the user should know that do not stop the VM (emulation is slow, no SPICE …).
  warnings: string[];
}

// The QEMU command line for a VM: a pure function of the config, the host facts and the
// runtime paths (it reads no environment, file or process state). It throws OpenUtmError when
// the VM cannot run on this host (missing firmware, swtpm, QEMU, an impossible accelerator).
export function buildQemuArgs(config: VmConfig, host: HostFacts, paths: RuntimePaths, opts: BuildOptions): QemuLaunch {
  const ctx = createBuildContext(config, host, paths, opts);
  const firmware = resolveFirmware(ctx);
  const args = flattenOptions([
    ...startOptions(ctx),
    ...machineOptions(ctx, firmware),
    ...acceleratorOptions(ctx),
    ...cpuOptions(ctx),
    ...smpOptions(ctx),
    ...memoryOptions(ctx),
    ...clockOptions(ctx),
    ...firmwareOptions(ctx, firmware),
    ...controllerOptions(ctx),
    ...driveOptions(ctx),
    ...linuxBootOptions(ctx),
    ...networkOptions(ctx),
    ...displayOptions(ctx),
    ...soundOptions(ctx),
    ...inputOptions(ctx),
    ...sharingOptions(ctx),
    ...tpmOptions(ctx),
    ...serialOptions(ctx),
    ...monitorOptions(ctx),
    ...processOptions(ctx),
  ]);
  return { binary: ctx.binary.path, args, accelerator: ctx.accelerator, firmware, warnings: ctx.warnings };
}
