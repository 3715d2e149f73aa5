import { z } from 'zod';
import { GuestAgentInfo } from '../guest-agent/guest-agent';

// The lifecycle the helper tracks from QMP events; starting, stopping and suspending are
// transitional. suspended: QEMU has ended with the guest's whole state saved in the VM's folder,
// and the next start resumes from it.
export const VmState = z.enum(['stopped', 'starting', 'running', 'paused', 'stopping', 'crashed', 'suspending', 'suspended']);
export type VmState = z.infer<typeof VmState>;

export const VmAction = z.enum([
  'start',
  'pause',
  'resume',
  'reset',
  'stop',
  'kill',
  'edit',
  'editLive',
  'delete',
  'clone',
  'screenshot',
  'console',
  'type',
  'suspend',
  'discardState',
  'rename',
]);
export type VmAction = z.infer<typeof VmAction>;

// One table decides what is allowed when: the UI greys out buttons and the helper refuses
// requests with the same rule, so they can never disagree.
// A suspended VM's settings, disks and clones wait: the saved state only fits the hardware and
// disks it was saved with.
const ALLOWED: Record<VmAction, readonly VmState[]> = {
  start: ['stopped', 'crashed', 'suspended'],
  pause: ['running'],
  resume: ['paused'],
  reset: ['running', 'paused'],
  stop: ['running', 'paused', 'stopping'],
  kill: ['starting', 'running', 'paused', 'stopping', 'suspending'],
  edit: ['stopped', 'crashed'],
  editLive: ['stopped', 'crashed', 'running', 'paused'],
  delete: ['stopped', 'crashed', 'suspended'],
  clone: ['stopped', 'crashed'],
  screenshot: ['running', 'paused'],
  console: ['running', 'paused'],
  // Keys sent to a paused guest would pile up in its keyboard's small buffer and be lost.
  type: ['running'],
  suspend: ['running', 'paused'],
  discardState: ['suspended'],
  // The name and notes: nothing QEMU or a saved state depends on.
  rename: ['stopped', 'crashed', 'running', 'paused', 'suspended'],
};

const VERB: Record<VmAction, string> = {
  start: 'start',
  pause: 'pause',
  resume: 'resume',
  reset: 'reset',
  stop: 'shut down',
  kill: 'force stop',
  edit: 'change the settings of',
  editLive: 'change',
  delete: 'delete',
  clone: 'clone',
  screenshot: 'take a screenshot of',
  console: 'open the console of',
  type: 'type into',
  suspend: 'suspend',
  discardState: 'discard the saved state of',
  rename: 'rename',
};

export function canPerform(state: VmState, action: VmAction): boolean {
  return ALLOWED[action].includes(state);
}

// A sentence for the refusal, naming the state it needs, e.g. "stop the VM first".
export function whyNot(state: VmState, action: VmAction): string | null {
  if (canPerform(state, action)) return null;
  const need = ALLOWED[action];
  if (state === 'suspended') return `cannot ${VERB[action]} a VM that is suspended: ${need.includes('stopped') ? 'resume or discard the saved state first' : 'resume it first'}`;
  const hint = need.includes('stopped') ? 'shut it down first' : need.includes('running') ? 'start it first' : `it must be ${need.join(' or ')}`;
  return `cannot ${VERB[action]} a VM that is ${state}: ${hint}`;
}

export function isActive(state: VmState): boolean {
  return state === 'starting' || state === 'running' || state === 'paused' || state === 'stopping' || state === 'suspending';
}

export const TryMode = z.enum(['active', 'pending']);
export type TryMode = z.infer<typeof TryMode>;

export const CrashInfo = z.object({
  at: z.string().datetime(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  reason: z.string(),
  logTail: z.array(z.string()),
});
export type CrashInfo = z.infer<typeof CrashInfo>;

export const VmStatus = z.object({
  id: z.string(),
  name: z.string(),
  state: VmState,
  since: z.string().datetime(),
  pid: z.number().int().nullable(),
  crash: CrashInfo.nullable(),
  // QEMU's ShutdownCause for the last time the VM ended (guest-shutdown, host-qmp-quit, …),
  // so "the guest powered off" and "it was forced off" read differently.
  lastShutdown: z.string().nullable(),
  // What the last start's QEMU command line had to compromise on (TCG, VNC on TCP, …), kept
  // while that QEMU runs. Optional: helpers older than this field do not send it.
  warnings: z.array(z.string()).optional(),
  // While a shut down is in progress: when the helper forces the VM off if the guest has not
  // powered off by then (the UI counts down to it). Optional: older helpers do not send it.
  forceStopAt: z.string().datetime().nullable().optional(),
  // The QEMU guest agent of a running VM (hostname, OS, addresses), null while it is not
  // running. Optional: older helpers do not send it.
  guestAgent: GuestAgentInfo.nullable().optional(),
  // Try mode: 'active' while the VM runs on throwaway overlays over its disks, 'pending' once it
  // stopped (or crashed, or the helper restarted) with the choice, keep or discard, still to
  // make. null otherwise. Optional: older helpers do not send it.
  tryMode: TryMode.nullable().optional(),
  // Whether the guest's SPICE agent (spice-vdagent) has its port open, as QEMU sees it; null
  // when the VM is not running or has no SPICE agent channel. A VNC console reads it: nothing
  // about the guest's agent crosses VNC. Optional: older helpers do not send it.
  spiceAgentOpen: z.boolean().nullable().optional(),
});
export type VmStatus = z.infer<typeof VmStatus>;
