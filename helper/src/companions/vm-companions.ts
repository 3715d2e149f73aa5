import path from 'node:path';
import { keepTail } from '../vm-service/vm-logs';
import { companionLogFile, findCompanions, recordedCompanions, startCompanion, stopCompanions, type CompanionSpec, type RunningCompanion } from './companion-process';
import { swtpmSpec, type SwtpmInput } from './swtpm';

// Every companion a VM's config asks for, in start order. Throws (before anything runs) when
// one of them is not installed.
export function companionsFor(input: SwtpmInput): CompanionSpec[] {
  return [swtpmSpec(input)].filter((s): s is CompanionSpec => s !== null);
}

// The companions of the VMs this helper watches: started before QEMU, found again by a
// restarted helper, ended with the VM. Knows nothing about QEMU or configs.
export class VmCompanions {
  private readonly running = new Map<string, RunningCompanion[]>();

  // All or nothing: if one fails to become ready, those already started are ended.
  async start(id: string, specs: readonly CompanionSpec[]): Promise<void> {
    const started: RunningCompanion[] = [];
    try {
      for (const spec of specs) started.push(await startCompanion(spec));
    } catch (e) {
      for (const spec of specs) await stopCompanions(spec.runtimeDir);
      throw e;
    }
    this.running.set(id, started);
  }

  // A restarted helper takes over the companions of a VM whose QEMU still runs.
  async adopt(id: string, runtimeDir: string): Promise<void> {
    this.running.set(id, await findCompanions(runtimeDir));
  }

  // logsDir: where the end of each companion's log is kept as last-run-<name>.log, as QEMU's is.
  async stop(id: string, runtimeDir: string, logsDir?: string): Promise<void> {
    const names = logsDir === undefined ? [] : await recordedCompanions(runtimeDir);
    await stopCompanions(runtimeDir);
    this.running.delete(id);
    for (const name of names) await keepTail(companionLogFile(runtimeDir, name), path.join(logsDir!, `last-run-${name}.log`)).catch(() => undefined);
  }

  list(id: string): RunningCompanion[] {
    return [...(this.running.get(id) ?? [])];
  }
}
