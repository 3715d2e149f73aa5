import { realpath } from 'node:fs/promises';
import path from 'node:path';
import {
  OpenUtmError,
  isActive,
  type GuestAgentInfo,
  type GuestExecResult,
  type GuestFileResult,
  type JobProgress,
  type VmState,
  type VmStatus,
} from '@openutm/shared';
import type { Endpoint } from '../runtime/runtime-paths';
import { assertNotHelperFile, type HelperFileGuard } from '../vm-service/helper-files';
import { resolveUserFile } from '../vm-service/host-paths';
import { runJob } from '../vm-service/job-progress';
import { AgentWatch, type WatchTiming } from './agent-watch';
import type { QgaLimits } from './qga-client';
import { guestExec, guestShutdown, type ExecRequest } from './guest-commands';
import { pullFile, pushFile, refuseExisting } from './guest-files';

export interface GuestAgentsOptions {
  endpoint: (id: string) => Endpoint;
  // The VM's status changed because its agent did (the engine sends it as vm.state).
  onChange: (id: string) => void;
  guard: (id: string) => HelperFileGuard;
  emitJob: (progress: JobProgress) => void;
  timing?: WatchTiming;
  limits?: Partial<QgaLimits>;
}

// The guest agents of the running VMs: one watch per VM while its QEMU runs (following the VM's
// state events, so a re-attached VM is watched again after a helper restart), and the requests
// that go through them.
export class GuestAgents {
  private readonly watches = new Map<string, AgentWatch>();
  private readonly states = new Map<string, VmState>();

  constructor(private readonly opts: GuestAgentsOptions) {}

  // Called with every status the VM's supervisor reports; returns it, for the engine to send on.
  follow(status: VmStatus): VmStatus {
    this.states.set(status.id, status.state);
    const wanted = status.state === 'running' || status.state === 'paused' || status.state === 'stopping';
    const watch = this.watches.get(status.id);
    if (wanted && !watch) {
      const next = new AgentWatch(this.opts.endpoint(status.id), () => this.opts.onChange(status.id), this.opts.timing, this.opts.limits);
      this.watches.set(status.id, next);
      next.start();
    } else if (!wanted && watch) {
      watch.stop();
      this.watches.delete(status.id);
    }
    return status;
  }

  // For the VM's status: null while it does not run.
  info(id: string, state: VmState): GuestAgentInfo | null {
    return isActive(state) ? (this.watches.get(id)?.info ?? null) : null;
  }

  async guestInfo(id: string, all: boolean): Promise<GuestAgentInfo> {
    return this.watch(id).refresh(all);
  }

  async exec(id: string, req: ExecRequest): Promise<GuestExecResult> {
    return guestExec(await this.agent(id), req);
  }

  async pushFile(id: string, hostPath: string, guestPath: string, job?: string): Promise<GuestFileResult> {
    const source = await resolveUserFile(hostPath, 'file to copy into the guest', this.opts.guard(id));
    const qga = await this.agent(id);
    return runJob({ job, kind: 'transfer', label: `Copying into the guest: ${path.basename(source)}`, emit: this.opts.emitJob }, (report) =>
      pushFile(qga, source, guestPath, (done, total) => report({ done, total, label: `Copying into the guest: ${path.basename(source)}` })),
    );
  }

  async pullFile(id: string, guestPath: string, hostPath: string, overwrite: boolean, job?: string): Promise<GuestFileResult> {
    const target = await this.pullTarget(id, hostPath, overwrite);
    const qga = await this.agent(id);
    const label = `Copying from the guest: ${path.basename(target)}`;
    return runJob({ job, kind: 'transfer', label, emit: this.opts.emitJob }, (report) =>
      pullFile(qga, guestPath, target, { overwrite }, (done, total) => report({ done, total, label })),
    );
  }

  // Asks the guest's OS to power off through the agent; false when no agent answers (the caller
  // then forces the VM off as before).
  async shutdown(id: string): Promise<boolean> {
    const watch = this.watches.get(id);
    if (!watch || watch.info.state !== 'connected') return false;
    try {
      await guestShutdown(await watch.agent());
      return true;
    } catch {
      return false;
    }
  }

  closeAll(): void {
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
  }

  private watch(id: string): AgentWatch {
    const watch = this.watches.get(id);
    const state = this.states.get(id) ?? 'stopped';
    if (!watch || state !== 'running') {
      throw new OpenUtmError('INVALID_STATE', `the VM is ${state}; its guest agent answers only while it runs: ${state === 'paused' ? 'resume' : 'start'} it first`);
    }
    return watch;
  }

  private agent(id: string) {
    return this.watch(id).agent();
  }

  // Where a pulled file goes: an absolute path in an existing folder, not one of the helper's
  // own places, and not over an existing file unless asked.
  private async pullTarget(id: string, hostPath: string, overwrite: boolean): Promise<string> {
    if (!path.isAbsolute(hostPath)) throw new OpenUtmError('UNSAFE_PATH', `the destination must be an absolute path, got ${JSON.stringify(hostPath)}`);
    const dir = await realpath(path.dirname(hostPath)).catch(() => {
      throw new OpenUtmError('NOT_FOUND', `the folder ${path.dirname(hostPath)} does not exist; create it first`);
    });
    const target = path.join(dir, path.basename(hostPath));
    await assertNotHelperFile(target, hostPath, 'destination', this.opts.guard(id));
    if (!overwrite) await refuseExisting(target);
    return target;
  }
}
