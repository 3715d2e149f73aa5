import { cp, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { OpenUtmError, type HostFacts, type VmConfig } from '@openutm/shared';
import type { RuntimePaths } from '../runtime/runtime-paths';
import { companionLogFile, type CompanionSpec } from './companion-process';

// The TPM's state lives in the VM's folder: it survives restarts, goes with clones and exports,
// and is deleted with the VM. One folder per VM, so two VMs never share a TPM.
export const TPM_STATE_DIR = 'tpm';

export interface SwtpmInput {
  config: VmConfig;
  facts: HostFacts;
  paths: RuntimePaths;
  vmFolder: string;
}

// The swtpm a VM with a TPM needs (null without one). Refuses, before anything runs, when swtpm
// is not installed, naming what to install.
export function swtpmSpec(input: SwtpmInput): CompanionSpec | null {
  if (!input.config.system.tpm) return null;
  const binary = input.facts.swtpm;
  if (binary === null) {
    const fix = input.facts.problems.find((p) => /swtpm/.test(p.what))?.fix ?? 'install swtpm';
    throw new OpenUtmError(
      'COMPANION_NOT_FOUND',
      `this VM has a TPM 2.0, which needs swtpm, and swtpm is not installed: ${fix}, then start the VM again — or turn the TPM off in the VM's settings`,
      { companion: 'swtpm' },
    );
  }
  const endpoint = input.paths.tpm;
  if (endpoint.kind !== 'unix') {
    // QEMU hands swtpm the TPM's data channel as a file descriptor over the control socket,
    // which only a unix socket can carry.
    throw new OpenUtmError('CONFIG_INVALID', "this VM's TPM needs a unix socket between QEMU and swtpm, which this host's QEMU endpoints are not; turn the TPM off in the VM's settings");
  }
  const stateDir = path.join(input.vmFolder, TPM_STATE_DIR);
  return {
    name: 'swtpm',
    binary,
    args: swtpmArgs(endpoint.path, companionLogFile(input.paths.dir, 'swtpm')),
    // The state dir is given relative to the VM's folder: swtpm's options have no escape for a
    // comma, which the library's path may contain; the runtime dir's paths never do.
    cwd: input.vmFolder,
    runtimeDir: input.paths.dir,
    prepare: () => mkdir(stateDir, { recursive: true, mode: 0o700 }).then(() => undefined),
    ready: () => isSocket(endpoint.path),
  };
}

// TPM 2.0 with QEMU's control channel on the VM's tpm socket. --terminate ends swtpm when QEMU's
// connection closes, so it ends with QEMU even while no helper watches.
export function swtpmArgs(controlSocket: string, logFile: string): string[] {
  return [
    'socket',
    '--tpm2',
    '--tpmstate',
    `dir=${path.join('.', TPM_STATE_DIR)},mode=0600`,
    '--ctrl',
    `type=unixio,path=${controlSocket},mode=0600`,
    '--log',
    `file=${logFile},level=2`,
    '--terminate',
  ];
}

async function isSocket(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isSocket(), () => false);
}


// A clone gets its own copy of the TPM's state (its keys and counters as the original left them);
// nothing when the original never ran with a TPM.
export async function copyTpmState(fromFolder: string, toFolder: string): Promise<void> {
  await cp(path.join(fromFolder, TPM_STATE_DIR), path.join(toFolder, TPM_STATE_DIR), {
    recursive: true,
    errorOnExist: true,
    force: false,
    // swtpm's lock file belongs to the process that held the original's state.
    filter: (src) => path.basename(src) !== '.lock',
  }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw new OpenUtmError('IO_ERROR', `cannot copy the TPM state of the VM: ${e.message}`);
  });
}
