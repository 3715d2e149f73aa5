// The little of spice-html5 and noVNC the console uses; neither package ships types.

declare module '@spice-project/spice-html5/src/spiceconn.js' {
  // A received message: its type and body (mini header).
  export interface SpiceMessage {
    type: number;
    size: number;
    data: ArrayBuffer | undefined;
  }
  export interface SpiceConnOptions {
    uri: string;
    parent?: SpiceConn;
    connection_id?: number;
    type?: number;
    chan_id?: number;
  }
  export class SpiceConn {
    constructor(o: SpiceConnOptions);
    state: string;
    ws: WebSocket | undefined;
    connection_id: number;
    type: number;
    chan_id: number;
    // Sends the link message; called once the channel's WebSocket opens.
    send_hdr(): void;
    // The channel's own messages (the common ones, ack and ping, are handled before);
    // answering false logs the type as unknown.
    process_channel_message?(msg: SpiceMessage): boolean;
    // Closes the WebSocket.
    cleanup(): void;
    onerror?: (e: Error) => void;
    parent?: SpiceConn;
    log_err(...msg: unknown[]): void;
    send_msg(msg: unknown): void;
    // The RSA-encrypted ticket as bytes (null when the password was too long to encrypt).
    send_ticket(ticket: number[] | null): void;
    // The server's link reply; its key's modulus sets the ticket's length.
    reply_link: { pub_key: { n: { bitLength(): number } } };
  }
}

declare module '@spice-project/spice-html5/src/main.js' {
  import type { SpiceConn, SpiceMessage } from '@spice-project/spice-html5/src/spiceconn.js';
  export interface SpiceMainOptions {
    uri: string;
    password: string;
    screen_id: string;
    onerror?: (e: Error) => void;
    onsuccess?: (message: string) => void;
  }
  export class SpiceMainConn extends SpiceConn {
    constructor(o: SpiceMainOptions);
    process_channel_message(msg: SpiceMessage): boolean;
    inputs?: SpiceConn;
    mouse_mode?: number;
    buttons_state?: number;
    stop(): void;
    // Called on the server's mouse-mode messages (at init, and when it switches mode).
    handle_mouse_mode(current: number, supported: number): void;
  }
}

declare module '@spice-project/spice-html5/src/spicemsg.js' {
  export class SpiceMiniData {
    build_msg(type: number, payload: unknown): void;
  }
  export class SpiceMsgcKeyDown {
    code: number;
  }
  export class SpiceMsgcKeyUp {
    code: number;
  }
  export class SpiceMsgcMouseMotion {
    // sc is read (its buttons_state) even without an event: it cannot be left out.
    constructor(sc: SpiceMainConn, e?: MouseEvent);
    x: number;
    y: number;
    buttons_state: number;
  }
}

declare module '@spice-project/spice-html5/src/enums.js' {
  export const Constants: {
    SPICE_MSGC_INPUTS_KEY_DOWN: number;
    SPICE_MSGC_INPUTS_KEY_UP: number;
    SPICE_MSGC_INPUTS_MOUSE_MOTION: number;
    SPICE_MOUSE_MODE_CLIENT: number;
    SPICE_MOUSE_MODE_SERVER: number;
    SPICE_MSG_MAIN_CHANNELS_LIST: number;
    SPICE_MSG_INPUTS_INIT: number;
  };
}

declare module '@novnc/novnc' {
  export default class RFB extends EventTarget {
    // A URL, or a WebSocket (or RTCDataChannel) the caller opened.
    constructor(
      target: HTMLElement,
      urlOrChannel: string | WebSocket,
      options?: { wsProtocols?: string[]; shared?: boolean; credentials?: { password?: string; username?: string; target?: string } },
    );
    scaleViewport: boolean;
    clipViewport: boolean;
    resizeSession: boolean;
    focusOnClick: boolean;
    viewOnly: boolean;
    focus(): void;
    disconnect(): void;
    sendKey(keysym: number, code: string | null, down?: boolean): void;
    // Offers text as the page's clipboard; the 'clipboard' event (detail.text) brings the server's.
    clipboardPasteFrom(text: string): void;
    // The client-to-server message writers every connection uses (its socket is the first argument).
    static messages: {
      extendedClipboardProvide(sock: unknown, formats: number[], texts: string[]): void;
      clientCutText(sock: unknown, data: Uint8Array, extended?: boolean): void;
    };
  }
}

declare module '@spice-project/spice-html5/src/ticket.js' {
  export type SpiceRsaKey = { n: { bitLength(): number } };
  // The server's public key (DER SubjectPublicKeyInfo) at `at` in the buffer.
  export function create_rsa_from_mb(mb: ArrayBuffer, at: number): SpiceRsaKey;
  // RSA-OAEP (SHA-1) of `text` (a binary string); null when it is too long for the key.
  export function rsa_encrypt(rsa: SpiceRsaKey, text: string): number[] | null;
}

declare module '@spice-project/spice-html5/src/display.js' {
  import type { SpiceConn } from '@spice-project/spice-html5/src/spiceconn.js';
  // The display channel; the console replaces how it deletes surfaces (spice-surfaces.ts).
  export class SpiceDisplayConn extends SpiceConn {
    surfaces: Record<number, { canvas: HTMLCanvasElement }> | undefined;
    primary_surface: number | undefined;
    unhook_events(): void;
    delete_surface(surfaceId: number): void;
  }
}
