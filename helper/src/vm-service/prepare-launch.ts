import { copyFile, constants as fsConstants } from 'node:fs/promises';
import path from 'node:path';
import { OpenUtmError, type Accelerator, type HostFacts, type VmConfig } from '@openutm/shared';
import { buildQemuArgs } from '../qemu-args/build-qemu-args';
import { inspectImage } from '../disk-images/qemu-img';
import { assertBackingInside } from '../disk-images/backing-check';
import type { RuntimePaths } from '../runtime/runtime-paths';
import { resolveConfigPaths } from './host-paths';
import type { HelperFileGuard } from './helper-files';
import { assertDiskFileNotLink } from '../disk-images/disk-file-check';
import { EFI_VARS_FILE } from '../vm-library/library-paths';
import { TRY_EFI_VARS_FILE, overlayFiles, planTryRecord, type TryRecord } from './try-record';

export interface LaunchPlan {
  binary: string;
  args: string[];
  warnings: string[];
}

export interface PrepareInput {
  config: VmConfig;
  facts: HostFacts;
  paths: RuntimePaths;
  vmFolder: string;
  acceleratorOverride: Accelerator | undefined;
  // The helper's own files, which the VM's ISOs, kernel and initrd may not be.
  guard: HelperFileGuard;
  // Try mode: puts the try's overlays in place and records them (TryModes.begin), after the
  // disks were checked and before QEMU starts.
  beginTry?: ((record: TryRecord, qemuImg: string | null) => Promise<void>) | undefined;
}

// Everything checked and put in place before QEMU runs: host paths resolved, disk images
// inspected (no symlinks, explicit format, backing chain inside the VM's own folder: another
// VM's disk may not become this one's backing file), firmware vars copied.
export async function prepareLaunch(input: PrepareInput): Promise<LaunchPlan> {
  const config = await resolveConfigPaths(input.config, input.guard);
  const qemuImg = input.facts.qemuImg;
  for (const disk of config.disks) {
    const file = path.join(input.vmFolder, disk.file);
    if (!qemuImg) throw new OpenUtmError('QEMU_NOT_FOUND', 'qemu-img is needed to check disk images; `openutm doctor` says how to install it');
    await assertDiskFileNotLink(file);
    const info = await inspectImage({ qemuImg, path: file, format: disk.format });
    await assertBackingInside(info, input.vmFolder);
  }
  const efiVars = path.join(input.vmFolder, EFI_VARS_FILE);
  const trial = input.beginTry ? planTryRecord(config, true, new Date()) : null;
  const built = buildQemuArgs(config, input.facts, input.paths, {
    vmFolder: input.vmFolder,
    efiVarsPath: trial ? path.join(input.vmFolder, TRY_EFI_VARS_FILE) : efiVars,
    acceleratorOverride: input.acceleratorOverride,
    tryOverlays: trial ? overlayFiles(trial) : undefined,
  });
  if (built.firmware) {
    // First boot: start from the firmware's empty variable store; later boots keep their own.
    await copyFile(built.firmware.varsTemplate, efiVars, fsConstants.COPYFILE_EXCL).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw new OpenUtmError('IO_ERROR', `cannot copy UEFI variables from ${built.firmware!.varsTemplate}: ${e.message}`);
    });
  }
  // The try copy of the variables is made from the VM's own, so the real store comes first.
  if (trial) await input.beginTry!({ ...trial, efiVars: built.firmware ? trial.efiVars : null }, qemuImg);
  return { binary: built.binary, args: built.args, warnings: built.warnings };
}
