import { Constants } from '@spice-project/spice-html5/src/enums.js';
import { SpiceMainConn } from '@spice-project/spice-html5/src/main.js';
import { SpiceConn } from '@spice-project/spice-html5/src/spiceconn.js';
import { SpiceMiniData, SpiceMsgcKeyDown, SpiceMsgcKeyUp, SpiceMsgcMouseMotion } from '@spice-project/spice-html5/src/spicemsg.js';
import type { DisplayEvents, DisplaySession, DisplayTarget, PointerMode } from './display-session';
import { comboStrokes, spiceScancode, type KeyCombo } from './guest-keys';
import { ConsoleSound } from './sound/console-sound';
import { hookAudioChannels } from './sound/spice-audio-channels';
import { SpiceAgentChannel } from './spice-agent/agent-channel';
import { whenInputsReady } from './spice-inputs-ready';
import './spice-surfaces';
import { padTicket } from './spice-ticket';
import { tearDownViewer } from './viewer-teardown';

// spice-html5 throws from a WebSocket listener when a secondary channel (display, inputs …)
// fails, which nobody can catch. Route those failures to the session's handler instead, once
// for the whole page.
const proto = SpiceConn.prototype as SpiceConn & { report_error(e: Error): void; log_info(...m: unknown[]): void };
proto.report_error = function reportError(this: SpiceConn, e: Error) {
  this.log_err(e.toString());
  (this.onerror ?? this.parent?.onerror)?.(e);
};
// Its info lines include the socket URL, ticket and all; they help nobody in the page's log.
proto.log_info = () => undefined;
// Its encrypted ticket is one byte short about once in 200 (see padTicket).
const sendTicket = proto.send_ticket;
proto.send_ticket = function sendPaddedTicket(this: SpiceConn, ticket: number[] | null) {
  const keyBytes = (this.reply_link.pub_key.n.bitLength() + 7) >> 3;
  sendTicket.call(this, ticket === null ? ticket : padTicket(ticket, keyBytes));
};

// A SPICE session in spice-html5: one WebSocket per channel, all through the same ticket URL.
export function openSpiceSession(screen: HTMLElement, target: DisplayTarget, events: DisplayEvents): DisplaySession {
  let closed = false;
  let closeReason = '';
  const finish = (fallback: string) => {
    if (closed) return;
    closed = true;
    agent.close();
    observer.disconnect();
    screen.removeEventListener('mousemove', relativeMotion, true);
    sound.close();
    // Read after the main socket's own close listeners ran, so the helper's reason is known.
    setTimeout(() => {
      events.onPhase({ phase: 'disconnected', reason: closeReason || fallback });
      tearDownViewer('SPICE console', [() => sc.stop()]);
    });
  };

  // Connected once the guest is on screen and keys reach it, not before.
  let mainReady = false;
  let inputsReady = false;
  const tellConnected = () => {
    if (mainReady && inputsReady && !closed) events.onPhase({ phase: 'connected' });
  };

  const sc = new SpiceMainConn({
    uri: target.url,
    // The SPICE ticket: spice-html5 encrypts it with QEMU's key, so only QEMU can read it. Empty
    // for unix-socket displays, which run without ticketing.
    password: target.password ?? '',
    screen_id: screen.id,
    onsuccess: () => {
      mainReady = true;
      tellConnected();
      events.onPointerMode(pointerMode(sc.mouse_mode));
    },
    onerror: (e) => finish(e.message),
  });
  // The agent (clipboard, resize, files) is ours; spice-html5's is bypassed.
  const agent = new SpiceAgentChannel(sc, {
    onStatus: (s) => !closed && events.onAgent(s),
    onGuestClipboard: (item) => !closed && events.onGuestClipboard(item),
    onTransfers: (views) => !closed && events.onTransfers(views),
    onProtocolError: (message) => console.warn(`SPICE agent: ${message}`),
  });
  // The server starts in server (relative) mode and switches to client mode once asked, when
  // the guest has a tablet or an agent; spice-html5 has no callback for that switch, so the
  // page hears of it by wrapping the instance's handler.
  const handleMouseMode = sc.handle_mouse_mode.bind(sc);
  sc.handle_mouse_mode = (current, supported) => {
    handleMouseMode(current, supported);
    if (!closed) events.onPointerMode(pointerMode(current));
  };
  // Playback and record are the console's own (sound/): taken before the main channel links.
  whenInputsReady(sc, () => {
    inputsReady = true;
    tellConnected();
  });
  const sound = new ConsoleSound();
  sound.attach(hookAudioChannels(sc, sound.events));
  events.onSound(sound);
  sc.ws?.addEventListener('close', (e) => {
    closeReason = e.reason;
  });

  // spice-html5 replaces the canvas when the guest changes resolution.
  const observer = new MutationObserver(() => {
    const canvas = screen.querySelector('canvas');
    if (canvas) events.onGuestSize(canvas.width, canvas.height);
  });
  observer.observe(screen, { childList: true, subtree: true, attributes: true, attributeFilter: ['width', 'height'] });

  // With a relative (PS/2) pointer and the pointer captured, the browser reports movement,
  // not positions; spice-html5 only knows positions, so movement is sent here.
  function relativeMotion(e: MouseEvent) {
    if (document.pointerLockElement === null || sc.inputs?.state !== 'ready') return;
    e.stopPropagation();
    const motion = new SpiceMsgcMouseMotion(sc);
    motion.x = e.movementX;
    motion.y = e.movementY;
    motion.buttons_state = sc.buttons_state ?? 0;
    const msg = new SpiceMiniData();
    msg.build_msg(Constants.SPICE_MSGC_INPUTS_MOUSE_MOTION, motion);
    sc.inputs.send_msg(msg);
  }
  screen.addEventListener('mousemove', relativeMotion, true);

  return {
    protocol: 'spice',
    sendCombo(combo: KeyCombo) {
      const inputs = sc.inputs;
      if (!inputs || inputs.state !== 'ready') return;
      for (const { key, down } of comboStrokes(combo.keys)) {
        const payload = down ? new SpiceMsgcKeyDown() : new SpiceMsgcKeyUp();
        payload.code = spiceScancode(key, down);
        const msg = new SpiceMiniData();
        msg.build_msg(down ? Constants.SPICE_MSGC_INPUTS_KEY_DOWN : Constants.SPICE_MSGC_INPUTS_KEY_UP, payload);
        inputs.send_msg(msg);
      }
    },
    focus() {
      screen.querySelector('canvas')?.focus();
    },
    setFit() {
      // The page scales the canvas with a CSS transform; offsetX stays in guest pixels.
    },
    resizeGuest(width, height) {
      return agent.resize(width, height);
    },
    offerClipboard(item, force) {
      return agent.offerHostClipboard(item, force);
    },
    sendFiles(files) {
      return agent.sendFiles(files).length > 0;
    },
    cancelTransfer(id) {
      agent.transfers.cancel(id);
    },
    dismissTransfer(id) {
      agent.transfers.dismiss(id);
    },
    close() {
      if (closed) return;
      closed = true;
      agent.close();
      tearDownViewer('SPICE console', [
        () => observer.disconnect(),
        () => screen.removeEventListener('mousemove', relativeMotion, true),
        () => sound.close(),
        () => sc.stop(),
      ]);
    },
  };
}

function pointerMode(spiceMouseMode: number | undefined): PointerMode {
  return spiceMouseMode === Constants.SPICE_MOUSE_MODE_CLIENT ? 'absolute' : 'relative';
}
