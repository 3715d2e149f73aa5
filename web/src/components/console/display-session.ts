import type { KeyCombo } from './guest-keys';
import type { ConsoleSound } from './sound/console-sound';
import type { HostClipboardItem } from './spice-agent/clipboard-sync';
import type { TransferView } from './spice-agent/file-transfer';

export type { HostClipboardItem, TransferView };

// What a console screen is doing, as the status line and the overlay show it.
export type DisplayPhase =
  | { phase: 'connecting' }
  | { phase: 'connected' }
  | { phase: 'disconnected'; reason: string };

// How the guest's pointer follows the browser's: absolute (USB tablet, the cursor just moves
// in and out) or relative (PS/2 mouse: the pointer must be captured).
export type PointerMode = 'absolute' | 'relative';

// What a session tells the console page; called from the viewer's own event handlers.
export interface DisplayEvents {
  onPhase(p: DisplayPhase): void;
  onGuestSize(width: number, height: number): void;
  // The SPICE guest agent came, went, or said what it can do: it is what shares the clipboard,
  // resizes the guest with the window and takes dropped files.
  onAgent(agent: GuestAgent): void;
  onPointerMode(mode: PointerMode): void;
  // The session's sound (SPICE only), given once as it opens.
  onSound(sound: ConsoleSound): void;
  // The guest copied something; the page's clipboard should get it.
  onGuestClipboard(item: HostClipboardItem): void;
  // Files on their way into the guest changed (progress, result).
  onTransfers(transfers: TransferView[]): void;
}

// What the guest agent can do now; all false without one.
export interface GuestAgent {
  phase: 'absent' | 'starting' | 'ready';
  clipboard: boolean;
  resize: boolean;
  files: boolean;
}

export const NO_AGENT: GuestAgent = { phase: 'absent', clipboard: false, resize: false, files: false };

// One live connection to a VM's screen; SPICE and VNC sessions look the same to the page.
export interface DisplaySession {
  readonly protocol: 'spice' | 'vnc';
  sendCombo(combo: KeyCombo): void;
  focus(): void;
  // VNC scales itself (noVNC maps the pointer); for SPICE the page scales the canvas.
  setFit(fit: boolean): void;
  // Asks the guest agent for a display of this size (device pixels); false when there is no agent.
  resizeGuest(width: number, height: number): boolean;
  // Offers the page's clipboard (text, PNG image or both) to the guest (force: even if the guest
  // had it already); false without a clipboard channel, or why it cannot go (too large for it).
  offerClipboard(item: HostClipboardItem, force: boolean): boolean | string;
  // Copies files into the guest, one after the other; false when the agent cannot take them.
  sendFiles(files: readonly File[]): boolean;
  cancelTransfer(id: number): void;
  dismissTransfer(id: number): void;
  close(): void;
}

// Where a viewer connects: the console WebSocket URL, and the display password when QEMU's
// display needs one (loopback TCP on Windows); the viewer hands it to QEMU itself.
export interface DisplayTarget {
  url: string;
  password: string | undefined;
  // VNC: QEMU relays the clipboard of the guest's SPICE agent (its qemu-vdagent is there).
  clipboard?: boolean | undefined;
}

// Opens a session on the element that will hold the viewer's canvas.
export type OpenDisplay = (screen: HTMLElement, target: DisplayTarget, events: DisplayEvents) => DisplaySession;

// The viewers are loaded only when a console opens, so other pages never carry them.
export async function loadViewer(protocol: 'spice' | 'vnc'): Promise<OpenDisplay> {
  if (protocol === 'spice') return (await import('./spice-session')).openSpiceSession;
  return (await import('./vnc-session')).openVncSession;
}
