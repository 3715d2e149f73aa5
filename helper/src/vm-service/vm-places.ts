import path from 'node:path';
import type { HostOs } from '@openutm/shared';
import { runtimePathsFor, type RuntimePaths } from '../runtime/runtime-paths';
import { readPortsFileSync, type EndpointPorts } from '../runtime/loopback-ports';
import { LOGS_DIR, vmFolder } from '../vm-library/library-paths';
import type { VmLogFiles } from './vm-logs';
import { ensurePrivateDir } from '../runtime/private-dir';

// Where the files of one VM are: its runtime dir (sockets, QEMU's live log) and the logs kept
// in its folder. Split from the engine, which only asks.
export class VmPlaces {
  constructor(
    private readonly libraryRoot: string,
    private readonly runtimeRoot: string,
    private readonly hostOs: HostOs,
    private readonly tcpEndpoints: boolean,
  ) {}

  // TCP endpoints (Windows) are loopback ports the last start picked (none before a start).
  runtime(id: string, ports?: EndpointPorts): RuntimePaths {
    if (!this.tcpEndpoints) return runtimePathsFor(this.runtimeRoot, id, this.hostOs);
    const join = this.hostOs === 'win32' ? path.win32.join : path.posix.join;
    return runtimePathsFor(this.runtimeRoot, id, this.hostOs, ports ?? readPortsFileSync(join(this.runtimeRoot, id)));
  }

  // The root and its per-user parent (under a shared /tmp on macOS) must be this user's alone.
  async ensureRuntimeRoot(): Promise<void> {
    const uid = this.hostOs === 'win32' || typeof process.getuid !== 'function' ? null : process.getuid();
    await ensurePrivateDir(this.runtimeRoot, path.dirname(path.dirname(this.runtimeRoot)), uid);
  }

  logsDir(id: string): string {
    return path.join(vmFolder(this.libraryRoot, id), LOGS_DIR);
  }

  logFiles(id: string): VmLogFiles {
    const { qemuLog, serialLog } = this.runtime(id);
    return { qemuLog, serialLog, logsDir: this.logsDir(id) };
  }
}
