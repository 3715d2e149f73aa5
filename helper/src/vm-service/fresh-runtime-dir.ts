import { mkdir, rm } from 'node:fs/promises';
import type { RuntimePaths } from '../runtime/runtime-paths';
import { newDisplayPassword, writeDisplayPassword } from '../runtime/display-password';
import { writeLaunchWarnings } from '../runtime/launch-warnings-file';
import { writePortsFile, type EndpointPorts } from '../runtime/loopback-ports';
import { RM_RUNTIME_DIR } from './quit-qemu';

// A start begins from an empty runtime dir (nothing of a previous run is mistaken for this
// one's), holding what the run needs before QEMU exists: its ports and display password on TCP
// endpoints, and its launch warnings, so a restarted helper can still show them.
export async function freshRuntimeDir(paths: RuntimePaths, ports: EndpointPorts | undefined, warnings: readonly string[]): Promise<void> {
  await rm(paths.dir, RM_RUNTIME_DIR);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  if (ports) {
    await writePortsFile(paths.dir, ports);
    await writeDisplayPassword(paths.displayPassword, newDisplayPassword());
  }
  await writeLaunchWarnings(paths.launchWarnings, [...warnings]);
}
