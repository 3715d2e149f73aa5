import RFB from '@novnc/novnc';
import type { DisplayEvents, DisplaySession } from './display-session';
import { comboStrokes, type KeyCombo } from './guest-keys';

// A VNC session in noVNC, for QEMU builds without SPICE. noVNC scales and maps the pointer itself.
export function openVncSession(screen: HTMLElement, url: string, events: DisplayEvents): DisplaySession {
  let closed = false;
  const rfb = new RFB(screen, url, { wsProtocols: ['binary'], shared: true });
  rfb.scaleViewport = true;
  rfb.resizeSession = false;
  rfb.focusOnClick = true;
  rfb.addEventListener('connect', () => {
    events.onPhase({ phase: 'connected' });
    // QEMU's VNC server sends absolute positions when the guest has a tablet.
    events.onPointerMode('absolute');
    const canvas = screen.querySelector('canvas');
    if (canvas) events.onGuestSize(canvas.width, canvas.height);
  });
  rfb.addEventListener('disconnect', (e) => {
    if (closed) return;
    closed = true;
    const clean = (e as CustomEvent<{ clean: boolean }>).detail.clean;
    events.onPhase({ phase: 'disconnected', reason: clean ? 'the VNC server closed the connection' : 'the connection to the VNC server was lost' });
  });
  rfb.addEventListener('securityfailure', (e) => {
    const reason = (e as CustomEvent<{ reason?: string }>).detail.reason;
    events.onPhase({ phase: 'disconnected', reason: `VNC refused the session${reason ? `: ${reason}` : ''}` });
  });

  return {
    protocol: 'vnc',
    sendCombo(combo: KeyCombo) {
      for (const { key, down } of comboStrokes(combo.keys)) rfb.sendKey(key.keysym, key.code, down);
    },
    focus: () => rfb.focus(),
    setFit(fit) {
      rfb.scaleViewport = fit;
    },
    resizeGuest: () => false,
    close() {
      if (closed) return;
      closed = true;
      rfb.disconnect();
    },
  };
}
