import { EVENTS, type ConsoleChannel, type ConsoleProtocol, type TypeResult, type VmStatus } from '@openutm/shared';
import { vmRemoved, vmStatusReceived, vmStore, vmSummaryReceived, vmsListed } from '../stores/vm-store';
import { jobProgressReceived, jobsForgotten } from '../stores/job-store';
import { libraryRemembered } from '../stores/remembered-library-store';
import { forgetToken, readRememberedLibrary, saveRememberedLibrary, saveToken } from './browser-storage';
import { decodeLibrary, encodeLibrary } from './library-memory';
import { consoleSocketUrl } from './helper-address';
import { browserClientName, redeemPairingCode } from './pairing';
import { helperCall } from './helper-call';
import { currentHelperOrigin, reconnectNow, startRuntime, switchHelper } from './runtime';

// The UI's whole vocabulary towards the helper, one function per resource + verb. Components
// call these and read the stores; only this layer writes the stores, and only with what the
// helper said (answers and events), never with what it expects to happen.

// Starting QEMU (firmware, disks) can take a while; shutting down waits for the guest.
// Saving or restoring a big VM's memory takes as long as its disk needs, with progress meanwhile.
const RESUME_TIMEOUT_MS = 30 * 60_000;
const STOP_GRACE_MS = 15_000;

// Every call goes through helperCall (it refuses what an older helper does not serve).
const call = helperCall;

// An action's answer is the VM's status after it: as good as an event.
function statusAnswered(status: VmStatus): VmStatus {
  if (!vmStatusReceived(status)) void vmGet(status.id).catch(() => undefined);
  return status;
}

// How long the library stays unchanged before it is remembered again (events come in bursts).
const REMEMBER_DELAY_MS = 1_000;
let rememberTimer: ReturnType<typeof setTimeout> | undefined;
let remembering = false;

// Connects this page to its helper (once) and keeps the library in step with it. The library
// this helper listed last time is shown meanwhile, and what it lists now is remembered.
export function helperConnect(): void {
  startRuntime({
    onEvent: helperEventReceived,
    onWelcome: () => {
      jobsForgotten();
      void vmList().catch(() => undefined);
    },
  });
  if (remembering) return;
  remembering = true;
  if (!vmStore.get().loaded) libraryRemembered(decodeLibrary(readRememberedLibrary(currentHelperOrigin())));
  vmStore.subscribe(() => {
    clearTimeout(rememberTimer);
    rememberTimer = setTimeout(rememberLibrary, REMEMBER_DELAY_MS);
  });
}

function rememberLibrary(): void {
  clearTimeout(rememberTimer);
  const { vms, loaded } = vmStore.get();
  if (loaded) saveRememberedLibrary(currentHelperOrigin(), encodeLibrary([...vms.values()]));
}

// "Retry now" in the banner.
export function helperReconnect(): void {
  reconnectNow();
}

// Pairs this browser with the helper at helperOrigin using a code from `openutm pair`, then
// connects with the new token.
export async function helperPair(helperOrigin: string, code: string): Promise<void> {
  const token = await redeemPairingCode(helperOrigin, code, browserClientName(navigator.userAgent));
  saveToken(helperOrigin, token);
  if (helperOrigin === currentHelperOrigin()) reconnectNow();
  else switchHelper(helperOrigin);
}

// Forgets this browser's token for the helper (the helper still lists it until revoked).
export function helperUnpair(): void {
  forgetToken(currentHelperOrigin());
  reconnectNow();
}

export async function vmList(): Promise<void> {
  vmsListed(await call('vm.list', {}));
  // The helper has answered: what was remembered is no longer shown, and this answer is kept.
  libraryRemembered(null);
  rememberLibrary();
}

export async function vmGet(id: string): Promise<void> {
  vmSummaryReceived(await call('vm.get', { id }));
}

// job: a suspended VM's restore reports its progress under this id (randomUUID, like newJobId).
export async function vmStart(id: string, job: string = crypto.randomUUID()): Promise<VmStatus> {
  return statusAnswered(await call('vm.start', { id, job }, RESUME_TIMEOUT_MS));
}

// Saves the VM's whole state in its folder and ends it; vmStart resumes it there.
export async function vmSuspend(id: string, job: string = crypto.randomUUID()): Promise<VmStatus> {
  return statusAnswered(await call('vm.suspend', { id, job }, RESUME_TIMEOUT_MS));
}

// What ran in a suspended VM is lost; it boots afresh at the next start.
export async function vmDiscardState(id: string): Promise<VmStatus> {
  return statusAnswered(await call('vm.discardState', { id }));
}

// The ACPI power button; the helper forces the VM off after timeoutMs.
export async function vmStop(id: string, timeoutMs = 60_000): Promise<VmStatus> {
  return statusAnswered(await call('vm.stop', { id, timeoutMs }, timeoutMs + STOP_GRACE_MS));
}

export async function vmPause(id: string): Promise<VmStatus> {
  return statusAnswered(await call('vm.pause', { id }));
}

export async function vmResume(id: string): Promise<VmStatus> {
  return statusAnswered(await call('vm.resume', { id }));
}

// Restart: the guest is reset at once, like pressing a computer's reset button.
export async function vmReset(id: string): Promise<VmStatus> {
  return statusAnswered(await call('vm.reset', { id }));
}

// Force stop: QEMU quits at once, like pulling the plug.
export async function vmKill(id: string): Promise<VmStatus> {
  return statusAnswered(await call('vm.kill', { id }, STOP_GRACE_MS));
}

// Where one console session connects: a WebSocket URL carrying a fresh ticket (good for the
// handful of sockets one SPICE session opens, for a few seconds) and what speaks on it.
export interface ConsoleEndpoint {
  url: string;
  protocol: ConsoleProtocol;
  // Where QEMU's display is on loopback TCP (Windows hosts): the password the viewer gives QEMU.
  // Unix-socket displays and helpers older than it have none.
  password: string | undefined;
  // VNC: whether QEMU relays the guest agent's clipboard (helpers older than it: no).
  clipboard: boolean | undefined;
}

// console.open: a ticket for the VM's screen (SPICE or VNC) or its serial console.
export async function consoleOpen(id: string, channel: ConsoleChannel): Promise<ConsoleEndpoint> {
  const t = await call('console.open', { id, channel });
  return { url: consoleSocketUrl(currentHelperOrigin(), t.path, t.ticket, channel), protocol: t.protocol, password: t.password, clipboard: t.clipboard };
}

// The VM's screen right now, as a data: URL an <img> can show (running or paused VMs only).
export async function vmScreenshot(id: string): Promise<{ src: string; takenAt: string }> {
  const { png, takenAt } = await call('vm.screenshot', { id });
  return { src: `data:image/png;base64,${png}`, takenAt };
}

// Types text into a running VM (keystrokes in its layout, or serial bytes), reporting as `job`.
// The helper paces keys at some 30 a second, so the answer waits in proportion.
export function vmType(id: string, text: string, via: 'keyboard' | 'serial', job: string): Promise<TypeResult> {
  return call('vm.type', { id, text, via, job }, 60_000 + [...text].length * 200);
}

// Stops vm.type after the key under way; that call then fails with CANCELLED.
export async function vmCancelTyping(id: string): Promise<void> {
  await call('vm.cancelTyping', { id });
}

// Events say that something changed; each is checked against its schema before use.
function helperEventReceived(event: string, data: unknown): void {
  switch (event) {
    case 'vm.state': {
      const status = EVENTS['vm.state'].safeParse(data);
      if (status.success) statusAnswered(status.data);
      return;
    }
    case 'vm.changed': {
      const changed = EVENTS['vm.changed'].safeParse(data);
      if (changed.success) void vmGet(changed.data.id).catch(() => undefined);
      return;
    }
    case 'vm.removed': {
      const removed = EVENTS['vm.removed'].safeParse(data);
      if (removed.success) vmRemoved(removed.data.id);
      return;
    }
    case 'job.progress': {
      const progress = EVENTS['job.progress'].safeParse(data);
      if (progress.success) jobProgressReceived(progress.data);
      return;
    }
    default:
      // Events of newer helpers.
      return;
  }
}
