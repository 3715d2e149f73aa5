import type { VmState } from '@openutm/shared';

// What the supervisor learns about a VM: QMP events, the monitor closing, or its own requests.
export type VmInput =
  | { type: 'launch' }
  | { type: 'attached'; qmpStatus: string }
  | { type: 'event'; name: string; data?: Record<string, unknown> }
  | { type: 'stop-requested' }
  | { type: 'quit-requested' }
  | { type: 'monitor-closed'; quitExpected: boolean };

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
      return state === 'stopped' || state === 'crashed' ? { state: 'starting', effects: [] } : stay;
    case 'attached':
      return fromQmpStatus(input.qmpStatus);
    case 'stop-requested':
      return state === 'running' || state === 'paused' ? { state: 'stopping', effects: [] } : stay;
    case 'quit-requested':
      return state === 'stopped' || state === 'crashed' ? stay : { state: 'stopping', effects: [] };
    case 'monitor-closed':
      // A monitor that closes without a SHUTDOWN event or our own quit means QEMU died.
      if (input.quitExpected) return { state: 'stopped', effects: [] };
      return { state: 'crashed', effects: [{ type: 'record-crash', reason: 'QEMU exited unexpectedly' }] };
    case 'event':
      return onEvent(state, input.name, input.data ?? {});
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
