import type { VmState } from '@openutm/shared';

// What the supervisor learns about a VM: QMP events, the monitor closing, or its own requests.
export type VmInput =
  | { type: 'launch' }
  | { type: 'attached'; qmpStatus: string }
  | { type: 'event'; name: string; data?: Record<string, unknown> }
  | { type: 'stop-requested' }
  | { type: 'quit-requested' }
  | { type: 'monitor-closed'; quitExpected: boolean }
  // Suspend to disk: begun, given up (QEMU keeps the VM; qmpStatus says how), and whether a
  // saved state waits in the VM's folder while no QEMU runs.
  | { type: 'suspend-requested' }
  | { type: 'suspend-abandoned'; qmpStatus: string }
  | { type: 'saved-state'; present: boolean };

// Side effects the reducer asks for; the supervisor performs them. Keeping them as data makes
// the lifecycle testable without QEMU.
// afterPowerOff: the guest powered itself off (flushing its disks first), so nothing it wrote is
// lost if QEMU, stuck in a SPICE client's pending messages, is killed after a short grace.
export type VmEffect =
  | { type: 'send-quit'; reason: string; afterPowerOff?: boolean }
  | { type: 'send-cont' }
  | { type: 'record-crash'; reason: string };

export interface Transition {
  state: VmState;
  effects: VmEffect[];
}

// QEMU RunState values (qapi/run-state.json) that mean the guest is not executing but alive.
const PAUSED_STATUSES = new Set([
  'paused',
  'suspended',
  'io-error',
  'internal-error',
  'debug',
  'inmigrate',
  'postmigrate',
  'finish-migrate',
  'restore-vm',
  'save-vm',
  'watchdog',
  'colo',
]);

// The VM lifecycle as a pure reducer: (state, what happened) → (new state, what to do).
export function transition(state: VmState, input: VmInput): Transition {
  const stay: Transition = { state, effects: [] };
  switch (input.type) {
    case 'launch':
      return state === 'stopped' || state === 'crashed' || state === 'suspended' ? { state: 'starting', effects: [] } : stay;
    case 'attached':
      return fromQmpStatus(input.qmpStatus);
    case 'stop-requested':
      return state === 'running' || state === 'paused' ? { state: 'stopping', effects: [] } : stay;
    case 'quit-requested':
      return state === 'stopped' || state === 'crashed' ? stay : { state: 'stopping', effects: [] };
    case 'monitor-closed':
      // A monitor that closes without a SHUTDOWN event or our own quit means QEMU died. The quit
      // that ends a suspend comes only once the state is safely on disk.
      if (input.quitExpected) return { state: state === 'suspending' ? 'suspended' : 'stopped', effects: [] };
      return { state: 'crashed', effects: [{ type: 'record-crash', reason: 'QEMU exited unexpectedly' }] };
    case 'event':
      return onEvent(state, input.name, input.data ?? {});
    case 'suspend-requested':
      return state === 'running' || state === 'paused' ? { state: 'suspending', effects: [] } : stay;
    case 'suspend-abandoned':
      return state === 'suspending' ? fromQmpStatus(input.qmpStatus) : stay;
    case 'saved-state':
      if (input.present) return state === 'stopped' || state === 'crashed' ? { state: 'suspended', effects: [] } : stay;
      return state === 'suspended' ? { state: 'stopped', effects: [] } : stay;
  }
}

function onEvent(state: VmState, name: string, data: Record<string, unknown>): Transition {
  const stay: Transition = { state, effects: [] };
  switch (name) {
    case 'RESUME':
      return state === 'starting' || state === 'paused' || state === 'running' ? { state: 'running', effects: [] } : stay;
    case 'STOP':
      // QEMU also stops the CPUs on the way to a shutdown; only a running VM becomes paused.
      return state === 'running' ? { state: 'paused', effects: [] } : stay;
    case 'SHUTDOWN':
      // The quit that ends a suspend (the guest is stopped and cannot power off meanwhile).
      if (state === 'suspending') return stay;
      // With -no-shutdown QEMU stays alive after the guest powers off; we end it ourselves so a
      // power-off is a clean exit, and an exit without SHUTDOWN is a crash.
      if (state === 'stopped' || state === 'crashed') return stay;
      return {
        state: 'stopping',
        effects: data.guest === true ? [{ type: 'send-quit', reason: `guest ${String(data.reason ?? 'shutdown')}`, afterPowerOff: true }] : [],
      };
    case 'GUEST_PANICKED':
      return {
        state: 'stopping',
        effects: [
          { type: 'record-crash', reason: 'the guest operating system panicked' },
          { type: 'send-quit', reason: 'guest panicked' },
        ],
      };
    default:
      return stay;
  }
}

function fromQmpStatus(status: string): Transition {
  if (status === 'running') return { state: 'running', effects: [] };
  // A start the previous helper did not finish: the VM was launched paused and never continued.
  if (status === 'prelaunch') return { state: 'starting', effects: [{ type: 'send-cont' }] };
  if (status === 'shutdown') return { state: 'stopping', effects: [{ type: 'send-quit', reason: 'guest powered off while detached', afterPowerOff: true }] };
  if (status === 'guest-panicked') {
    return {
      state: 'stopping',
      effects: [
        { type: 'record-crash', reason: 'the guest operating system panicked' },
        { type: 'send-quit', reason: 'guest panicked' },
      ],
    };
  }
  if (PAUSED_STATUSES.has(status)) return { state: 'paused', effects: [] };
  return { state: 'paused', effects: [] };
}
