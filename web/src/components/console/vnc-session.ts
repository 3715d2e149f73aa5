import RFB from '@novnc/novnc';
import type { DisplayEvents, DisplaySession, DisplayTarget } from './display-session';
import { comboStrokes, type KeyCombo } from './guest-keys';
import { tearDownViewer } from './viewer-teardown';
import { guestClipboardBytes, providePayload, tooLargeForVnc, VncClipboard } from './vnc-clipboard';

// noVNC answers QEMU's request for the page's text with its own Provide message, in rfbproto's
// form (CRLF, closing NUL) that QEMU passes on to the guest as is; this one writes QEMU's form
// (vnc-clipboard.ts). Set for every connection: the console is the page's only noVNC user.
RFB.messages.extendedClipboardProvide = (sock, _formats, texts) => {
  void providePayload(guestClipboardBytes(texts[0] ?? '')).then((payload) => RFB.messages.clientCutText(sock, payload, true));
};

// A VNC session in noVNC, for QEMU builds without SPICE. noVNC scales and maps the pointer itself.
// The WebSocket is opened here and handed to noVNC only once open: a socket that fails before
// that (the helper refused the upgrade: VM gone, its VNC socket unreachable, ticket spent) is
// this page's to report, whereas noVNC would log it as a console error of its own.
export function openVncSession(screen: HTMLElement, target: DisplayTarget, events: DisplayEvents): DisplaySession {
  let closed = false;
  let rfb: RFB | null = null;
  // Fit may be chosen before noVNC exists.
  let fitWanted = true;
  const clipboard = new VncClipboard();
  const socket = new WebSocket(target.url, ['binary']);
  socket.binaryType = 'arraybuffer';
  const unreachable = () => {
    if (closed) return;
    closed = true;
    events.onPhase({ phase: 'disconnected', reason: "could not reach the VM's screen; the VM may have stopped, or the helper could not connect to it (see its log)" });
  };
  socket.addEventListener('close', unreachable, { once: true });
  socket.addEventListener(
    'open',
    () => {
      socket.removeEventListener('close', unreachable);
      if (closed) return socket.close();
      rfb = startRfb(screen, socket, target, fitWanted, clipboard, events, () => {
        if (closed) return false;
        closed = true;
        return true;
      });
    },
    { once: true },
  );
  return {
    protocol: 'vnc',
    sendCombo(combo: KeyCombo) {
      for (const { key, down } of comboStrokes(combo.keys)) rfb?.sendKey(key.keysym, key.code, down);
    },
    focus: () => rfb?.focus(),
    setFit(fit) {
      fitWanted = fit;
      if (rfb) rfb.scaleViewport = fit;
    },
    resizeGuest: () => false,
    offerClipboard(item, force) {
      if (!rfb || !target.clipboard) return false;
      const text = item.text;
      // QEMU's vdagent relays text only.
      if (text === undefined) return item.png ? 'a VNC console shares text only: images need a SPICE display' : true;
      const tooLarge = tooLargeForVnc(guestClipboardBytes(text));
      if (tooLarge !== null) return tooLarge;
      if (clipboard.hostText(text, force)) rfb.clipboardPasteFrom(text);
      return true;
    },
    sendFiles: () => false,
    cancelTransfer: () => undefined,
    dismissTransfer: () => undefined,
    close() {
      if (closed) return;
      closed = true;
      tearDownViewer('VNC console', [() => (rfb ? rfb.disconnect() : socket.close())]);
    },
  };
}

// noVNC on an open socket. firstEnd says whether this end is the session's first (not closed
// by the page already), so the page hears of each end once.
function startRfb(screen: HTMLElement, socket: WebSocket, target: DisplayTarget, fit: boolean, clipboard: VncClipboard, events: DisplayEvents, firstEnd: () => boolean): RFB {
  // QEMU on loopback TCP (Windows) asks for VNC authentication with the password console.open
  // gave; on a unix socket it asks for none.
  const { password } = target;
  const rfb = new RFB(screen, socket, password === undefined ? { shared: true } : { shared: true, credentials: { password } });
  rfb.scaleViewport = fit;
  rfb.resizeSession = false;
  rfb.focusOnClick = true;
  rfb.addEventListener('connect', () => {
    events.onPhase({ phase: 'connected' });
    // QEMU's VNC server sends absolute positions when the guest has a tablet.
    events.onPointerMode('absolute');
    const canvas = screen.querySelector('canvas');
    if (canvas) events.onGuestSize(canvas.width, canvas.height);
    // QEMU's vdagent shares the clipboard and nothing else. Whether the guest runs spice-vdagent
    // does not cross VNC: the VM's status says it (clipboard-reason.ts), this only says the
    // channel exists.
    if (target.clipboard) events.onAgent({ phase: 'ready', clipboard: true, resize: false, files: false });
  });
  // QEMU 6.1+ (the only ones with a vdagent) speak the extended clipboard, which noVNC takes up:
  // UTF-8 both ways. Plain cut-text would be Latin-1, but QEMU then hands the guest those bytes
  // as UTF-8, so it is never used for the clipboard here.
  rfb.addEventListener('clipboard', (e) => {
    if (target.clipboard) events.onGuestClipboard({ text: clipboard.guestText((e as CustomEvent<{ text: string }>).detail.text) });
  });
  rfb.addEventListener('disconnect', (e) => {
    if (!firstEnd()) return;
    const clean = (e as CustomEvent<{ clean: boolean }>).detail.clean;
    events.onPhase({ phase: 'disconnected', reason: clean ? 'the VNC server closed the connection' : 'the connection to the VNC server was lost' });
  });
  // Only reached when QEMU wants a password the helper did not give: noVNC would wait forever.
  rfb.addEventListener('credentialsrequired', () => {
    if (!firstEnd()) return;
    events.onPhase({ phase: 'disconnected', reason: 'the VNC server asks for a password this helper did not give; update the OpenUTM helper' });
    rfb.disconnect();
  });
  rfb.addEventListener('securityfailure', (e) => {
    const reason = (e as CustomEvent<{ reason?: string }>).detail.reason;
    events.onPhase({ phase: 'disconnected', reason: `VNC refused the session${reason ? `: ${reason}` : ''}` });
  });
  return rfb;
}
