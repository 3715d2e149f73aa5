import type { CrashInfo, GuestAgentInfo, TryMode, VmState, VmStatus } from '@openutm/shared';
import { OpenUtmError } from '@openutm/shared';
import type { QmpClient } from '../qmp/qmp-client';
import { watchAgentPort, type AgentPortState } from './agent-port-watch';
import { POWERED_OFF_GRACE_MS, killIfStillRunning } from './powered-off-kill';
import { transition, type VmEffect, type VmInput } from './state-machine';

export interface SupervisorHooks {
  // Called after QEMU is gone, to collect log lines and clean its runtime files.
  onExit(info: { crashed: boolean; reason: string | null; pid: number | null }): Promise<CrashInfo | null>;
  onChange(status: VmStatus): void;
  // How long QEMU may take to exit after the guest powered off before it is killed (tests shorten it).
  poweredOffGraceMs?: number;
  // What the guest agent says while the VM runs (null otherwise).
  guestAgent?: (state: VmState) => GuestAgentInfo | null;
  // Whether the VM runs a try, or one waits for its keep-or-discard choice.
  tryMode?: (state: VmState) => TryMode | null;
}

type Waiter = { pred: (s: VmState) => boolean; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

// Watches one VM: feeds QMP events and monitor closure through the state machine and performs
// the effects it asks for. Knows nothing about configs or files (hooks do that).
export class VmSupervisor {
  private stateValue: VmState;
  private sinceValue = new Date();
  private qmpClient: QmpClient | null = null;
  private pidValue: number | null = null;
  private quitExpected = false;
  private crashReason: string | null = null;
  private crashValue: CrashInfo | null;
  private lastShutdown: string | null = null;
  private warningsValue: string[] = [];
  private waiters = new Set<Waiter>();
  private exitDone: Promise<void> | null = null;
  private unsubscribe: Array<() => void> = [];
  private disarmKill: (() => void) | null = null;
  // When a shut down in progress turns into a forced stop, for the UI's countdown.
  private forceStopAtValue: string | null = null;
  // Whether the guest opened the SPICE agent's port, while a monitor is attached.
  private agentPort: AgentPortState = null;

  constructor(
    readonly id: string,
    private nameValue: string,
    initial: VmState,
    crash: CrashInfo | null,
    private readonly hooks: SupervisorHooks,
  ) {
    this.stateValue = initial;
    this.crashValue = crash;
  }

  get state(): VmState {
    return this.stateValue;
  }
  get pid(): number | null {
    return this.pidValue;
  }
  get qmp(): QmpClient | null {
    return this.qmpClient;
  }

  rename(name: string): void {
    this.nameValue = name;
    this.hooks.onChange(this.status());
  }

  status(): VmStatus {
    return {
      id: this.id,
      name: this.nameValue,
      state: this.stateValue,
      since: this.sinceValue.toISOString(),
      pid: this.pidValue,
      crash: this.stateValue === 'crashed' ? this.crashValue : null,
      lastShutdown: this.lastShutdown,
      warnings: this.warningsValue,
      forceStopAt: this.stateValue === 'stopping' ? this.forceStopAtValue : null,
      guestAgent: this.hooks.guestAgent?.(this.stateValue) ?? null,
      tryMode: this.hooks.tryMode?.(this.stateValue) ?? null,
      spiceAgentOpen: this.qmpClient === null ? null : this.agentPort,
    };
  }

  // The launch's compromises, shown while its QEMU runs; a new start or the exit replaces them.
  setWarnings(warnings: readonly string[]): void {
    this.warningsValue = [...warnings];
  }

  // Hands a connected monitor to the supervisor; from here on QMP events drive the state.
  attach(qmp: QmpClient, pid: number | null): void {
    this.qmpClient = qmp;
    this.pidValue = pid;
    this.quitExpected = false;
    this.crashReason = null;
    this.lastShutdown = null;
    this.exitDone = null;
    this.agentPort = null;
    this.unsubscribe = [
      qmp.onEvent((ev) => {
        if (ev.event === 'SHUTDOWN') {
          this.quitExpected = true;
          // The first cause counts: our quit after a guest power-off reports host-qmp-quit too.
          this.lastShutdown ??= typeof ev.data?.reason === 'string' ? ev.data.reason : 'unknown';
        }
        this.dispatch({ type: 'event', name: ev.event, data: ev.data });
      }),
      watchAgentPort(qmp, (open) => {
        if (open === this.agentPort) return;
        this.agentPort = open;
        this.hooks.onChange(this.status());
      }),
      qmp.onClose(() => {
        this.exitDone = this.handleExit();
      }),
    ];
  }

  // Lets go of the monitor without touching QEMU: the VM keeps running for the next helper.
  async detach(): Promise<void> {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    const qmp = this.qmpClient;
    this.qmpClient = null;
    await qmp?.close();
  }

  dispatch(input: VmInput): void {
    const t = transition(this.stateValue, input);
    this.setState(t.state);
    for (const effect of t.effects) this.perform(effect);
  }

  // The ACPI power button was pressed: stopping, and forced off at `forceAt` unless the guest obeys.
  beginShutDown(forceAt: Date): void {
    this.forceStopAtValue = forceAt.toISOString();
    if (this.stateValue === 'stopping') this.hooks.onChange(this.status());
    this.dispatch({ type: 'stop-requested' });
  }

  // Asks QEMU to exit; the state becomes stopped when the monitor closes.
  requestQuit(): void {
    this.quitExpected = true;
    this.dispatch({ type: 'quit-requested' });
    this.perform({ type: 'send-quit', reason: 'requested' });
  }

  markQuitExpected(): void {
    this.quitExpected = true;
  }

  // Resolves when the state satisfies pred; rejects on timeout with a clear error.
  waitFor(pred: (s: VmState) => boolean, timeoutMs: number, what: string): Promise<void> {
    if (pred(this.stateValue)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        pred,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new OpenUtmError('QMP_TIMEOUT', `the VM did not ${what} within ${Math.round(timeoutMs / 1000)} s (it is ${this.stateValue})`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  // Resolves once exit handling (logs, cleanup) has finished after the monitor closed.
  async exited(): Promise<void> {
    await this.waitFor((s) => s === 'stopped' || s === 'crashed' || s === 'suspended', 24 * 3600_000, 'exit');
    await this.exitDone;
  }

  private perform(effect: VmEffect): void {
    const qmp = this.qmpClient;
    switch (effect.type) {
      case 'send-quit':
        this.quitExpected = true;
        // The monitor closing is the answer to quit; an error here only means it closed first.
        qmp?.execute('quit').catch(() => undefined);
        if (effect.afterPowerOff && this.pidValue !== null) {
          this.disarmKill ??= killIfStillRunning(this.pidValue, this.hooks.poweredOffGraceMs ?? POWERED_OFF_GRACE_MS);
        }
        break;
      case 'send-cont':
        qmp?.execute('cont').catch(() => undefined);
        break;
      case 'record-crash':
        this.crashReason = effect.reason;
        break;
    }
  }

  private async handleExit(): Promise<void> {
    this.disarmKill?.();
    this.disarmKill = null;
    const crashed = !this.quitExpected || this.crashReason !== null;
    const reason = this.crashReason ?? (crashed ? 'QEMU exited unexpectedly' : null);
    const crash = await this.hooks.onExit({ crashed, reason, pid: this.pidValue });
    this.qmpClient = null;
    this.pidValue = null;
    this.warningsValue = [];
    if (crashed) this.crashValue = crash;
    this.dispatch({ type: 'monitor-closed', quitExpected: !crashed });
  }

  private setState(next: VmState): void {
    if (next === this.stateValue) return;
    this.stateValue = next;
    this.sinceValue = new Date();
    if (next !== 'stopping') this.forceStopAtValue = null;
    this.hooks.onChange(this.status());
    for (const w of [...this.waiters]) {
      if (w.pred(next)) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }
}
