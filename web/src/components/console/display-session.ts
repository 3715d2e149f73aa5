import type { KeyCombo } from './guest-keys';
import type { ConsoleSound } from './sound/console-sound';

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
  // The SPICE guest agent came or went: it is what resizes the guest with the window.
  onAgent(connected: boolean): void;
  onPointerMode(mode: PointerMode): void;
  // The session's sound (SPICE only), given once as it opens.
  onSound(sound: ConsoleSound): void;
}

// One live connection to a VM's screen; SPICE and VNC sessions look the same to the page.
export interface DisplaySession {
  readonly protocol: 'spice' | 'vnc';
  sendCombo(combo: KeyCombo): void;
  focus(): void;
  // VNC scales itself (noVNC maps the pointer); for SPICE the page scales the canvas.
  setFit(fit: boolean): void;
  // Asks the guest agent for a display of this size; false when there is no agent.
  resizeGuest(width: number, height: number): boolean;
  close(): void;
}

// Where a viewer connects: the console WebSocket URL, and the display password when QEMU's
// display needs one (loopback TCP on Windows); the viewer hands it to QEMU itself.
export interface DisplayTarget {
  url: string;
  password: string | undefined;
}

// Opens a session on the element that will hold the viewer's canvas.
export type OpenDisplay = (screen: HTMLElement, target: DisplayTarget, events: DisplayEvents) => DisplaySession;

// The viewers are loaded only when a console opens, so other pages never carry them.
export async function loadViewer(protocol: 'spice' | 'vnc'): Promise<OpenDisplay> {
  if (protocol === 'spice') return (await import('./spice-session')).openSpiceSession;
  return (await import('./vnc-session')).openVncSession;
}
