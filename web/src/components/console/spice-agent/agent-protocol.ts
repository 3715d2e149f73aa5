// The SPICE guest agent's messages (spice-protocol's vd_agent.h), as bytes. Pure: no DOM, no
// spice-html5, so that every layout is table-tested beside this file.

export const VD_AGENT_PROTOCOL = 1;
// The largest SPICE_MSGC_MAIN_AGENT_DATA payload the server takes; agent messages are cut to it.
export const AGENT_CHUNK_MAX = 2048;
export const AGENT_HEADER_SIZE = 20;

export const AgentMsg = {
  MOUSE_STATE: 1,
  MONITORS_CONFIG: 2,
  REPLY: 3,
  CLIPBOARD: 4,
  DISPLAY_CONFIG: 5,
  ANNOUNCE_CAPABILITIES: 6,
  CLIPBOARD_GRAB: 7,
  CLIPBOARD_REQUEST: 8,
  CLIPBOARD_RELEASE: 9,
  FILE_XFER_START: 10,
  FILE_XFER_STATUS: 11,
  FILE_XFER_DATA: 12,
  CLIENT_DISCONNECTED: 13,
  MAX_CLIPBOARD: 14,
} as const;

export const AgentCap = {
  MOUSE_STATE: 0,
  MONITORS_CONFIG: 1,
  REPLY: 2,
  CLIPBOARD: 3,
  DISPLAY_CONFIG: 4,
  CLIPBOARD_BY_DEMAND: 5,
  CLIPBOARD_SELECTION: 6,
  SPARSE_MONITORS_CONFIG: 7,
  GUEST_LINEEND_LF: 8,
  GUEST_LINEEND_CRLF: 9,
  MAX_CLIPBOARD: 10,
  AUDIO_VOLUME_SYNC: 11,
  MONITORS_CONFIG_POSITION: 12,
  FILE_XFER_DISABLED: 13,
  FILE_XFER_DETAILED_ERRORS: 14,
} as const;

export const ClipboardType = { NONE: 0, UTF8_TEXT: 1, IMAGE_PNG: 2, IMAGE_BMP: 3, IMAGE_TIFF: 4, IMAGE_JPG: 5 } as const;
export const Selection = { CLIPBOARD: 0, PRIMARY: 1, SECONDARY: 2 } as const;

export const XferStatus = {
  CAN_SEND_DATA: 0,
  CANCELLED: 1,
  ERROR: 2,
  SUCCESS: 3,
  NOT_ENOUGH_SPACE: 4,
  SESSION_LOCKED: 5,
  VDAGENT_NOT_CONNECTED: 6,
  DISABLED: 7,
} as const;

// What the page tells the guest it can do. The selection byte is only on the wire when both
// sides announce CLIPBOARD_SELECTION; GRAB_SERIAL (a later addition) is not announced, so grabs
// carry no serial.
export const CLIENT_CAPS: readonly number[] = [
  AgentCap.MOUSE_STATE,
  AgentCap.MONITORS_CONFIG,
  AgentCap.REPLY,
  AgentCap.CLIPBOARD_BY_DEMAND,
  AgentCap.CLIPBOARD_SELECTION,
  AgentCap.SPARSE_MONITORS_CONFIG,
  AgentCap.FILE_XFER_DETAILED_ERRORS,
];

export interface AgentMessage {
  type: number;
  body: Uint8Array;
}

export class AgentProtocolError extends Error {
  override readonly name = 'AgentProtocolError';
}

// One whole agent message: the 20-byte VDAgentMessage header, then the body.
export function encodeAgentMessage(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(AGENT_HEADER_SIZE + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, VD_AGENT_PROTOCOL, true);
  dv.setUint32(4, type, true);
  // opaque (8 bytes) stays zero
  dv.setUint32(16, body.length, true);
  out.set(body, AGENT_HEADER_SIZE);
  return out;
}

// The pieces a message travels in, each at most `max` bytes (views into the message, no copy).
export function chunkMessage(message: Uint8Array, max = AGENT_CHUNK_MAX): Uint8Array[] {
  if (max <= 0) throw new RangeError('chunk size must be positive');
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < message.length; at += max) chunks.push(message.subarray(at, Math.min(at + max, message.length)));
  return chunks;
}

function words(n: number): { out: Uint8Array; dv: DataView } {
  const out = new Uint8Array(n);
  return { out, dv: new DataView(out.buffer) };
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function need(b: Uint8Array, n: number, what: string): void {
  if (b.length < n) throw new AgentProtocolError(`${what}: ${b.length} bytes, at least ${n} expected`);
}

export function encodeCapabilities(request: boolean, caps: readonly number[]): Uint8Array {
  const count = Math.max(1, Math.ceil((Math.max(-1, ...caps) + 1) / 32));
  const { out, dv } = words(4 + 4 * count);
  dv.setUint32(0, request ? 1 : 0, true);
  for (const cap of caps) {
    const at = 4 + 4 * Math.floor(cap / 32);
    dv.setUint32(at, (dv.getUint32(at, true) | (1 << cap % 32)) >>> 0, true);
  }
  return out;
}

export function decodeCapabilities(body: Uint8Array): { request: boolean; caps: Set<number> } {
  need(body, 4, 'capabilities');
  const dv = view(body);
  const caps = new Set<number>();
  for (let w = 0; 4 + 4 * w + 4 <= body.length; w++) {
    const bits = dv.getUint32(4 + 4 * w, true);
    for (let i = 0; i < 32; i++) if (bits & (1 << i)) caps.add(w * 32 + i);
  }
  return { request: dv.getUint32(0, true) !== 0, caps };
}

// `selection` is null when the selection byte is not on the wire (not negotiated).
function selectionPrefix(selection: number | null): number {
  return selection === null ? 0 : 4;
}

function readSelection(body: Uint8Array, withSelection: boolean, what: string): { selection: number; at: number } {
  if (!withSelection) return { selection: Selection.CLIPBOARD, at: 0 };
  need(body, 4, what);
  return { selection: body[0]!, at: 4 };
}

export function encodeClipboardGrab(selection: number | null, types: readonly number[]): Uint8Array {
  const p = selectionPrefix(selection);
  const { out, dv } = words(p + 4 * types.length);
  if (selection !== null) out[0] = selection;
  types.forEach((t, i) => dv.setUint32(p + 4 * i, t, true));
  return out;
}

export function decodeClipboardGrab(body: Uint8Array, withSelection: boolean): { selection: number; types: number[] } {
  const { selection, at } = readSelection(body, withSelection, 'clipboard grab');
  const dv = view(body);
  const types: number[] = [];
  for (let i = at; i + 4 <= body.length; i += 4) types.push(dv.getUint32(i, true));
  return { selection, types };
}

export function encodeClipboardRequest(selection: number | null, type: number): Uint8Array {
  const p = selectionPrefix(selection);
  const { out, dv } = words(p + 4);
  if (selection !== null) out[0] = selection;
  dv.setUint32(p, type, true);
  return out;
}

export function decodeClipboardRequest(body: Uint8Array, withSelection: boolean): { selection: number; type: number } {
  const { selection, at } = readSelection(body, withSelection, 'clipboard request');
  need(body, at + 4, 'clipboard request');
  return { selection, type: view(body).getUint32(at, true) };
}

export function encodeClipboard(selection: number | null, type: number, data: Uint8Array): Uint8Array {
  const p = selectionPrefix(selection);
  const { out, dv } = words(p + 4 + data.length);
  if (selection !== null) out[0] = selection;
  dv.setUint32(p, type, true);
  out.set(data, p + 4);
  return out;
}

export function decodeClipboard(body: Uint8Array, withSelection: boolean): { selection: number; type: number; data: Uint8Array } {
  const { selection, at } = readSelection(body, withSelection, 'clipboard data');
  need(body, at + 4, 'clipboard data');
  return { selection, type: view(body).getUint32(at, true), data: body.subarray(at + 4) };
}

export function encodeClipboardRelease(selection: number | null): Uint8Array {
  const out = new Uint8Array(selectionPrefix(selection));
  if (selection !== null) out[0] = selection;
  return out;
}

export function decodeClipboardRelease(body: Uint8Array, withSelection: boolean): { selection: number } {
  return { selection: readSelection(body, withSelection, 'clipboard release').selection };
}

export interface MonitorConfig {
  width: number;
  height: number;
  depth: number;
  x: number;
  y: number;
}

export function encodeMonitorsConfig(monitors: readonly MonitorConfig[], flags = 0): Uint8Array {
  const { out, dv } = words(8 + 20 * monitors.length);
  dv.setUint32(0, monitors.length, true);
  dv.setUint32(4, flags, true);
  monitors.forEach((m, i) => {
    // Height comes first in VDAgentMonConfig.
    dv.setUint32(8 + 20 * i, m.height, true);
    dv.setUint32(12 + 20 * i, m.width, true);
    dv.setUint32(16 + 20 * i, m.depth, true);
    dv.setInt32(20 + 20 * i, m.x, true);
    dv.setInt32(24 + 20 * i, m.y, true);
  });
  return out;
}

export function decodeReply(body: Uint8Array): { type: number; error: number } {
  need(body, 8, 'reply');
  const dv = view(body);
  return { type: dv.getUint32(0, true), error: dv.getUint32(4, true) };
}

// GKeyFile escapes: a value may not carry a raw newline, and a leading space would be trimmed.
function keyFileValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/^ /, '\\s');
}

const utf8 = new TextEncoder();

// The start of a transfer: the id, then a key file naming the file, NUL-terminated.
export function encodeFileXferStart(id: number, name: string, size: number): Uint8Array {
  const text = utf8.encode(`[vdagent-file-xfer]\nname=${keyFileValue(name)}\nsize=${size}\n`);
  const { out, dv } = words(4 + text.length + 1);
  dv.setUint32(0, id, true);
  out.set(text, 4);
  return out;
}

export function encodeFileXferStatus(id: number, result: number): Uint8Array {
  const { out, dv } = words(8);
  dv.setUint32(0, id, true);
  dv.setUint32(4, result, true);
  return out;
}

export function decodeFileXferStatus(body: Uint8Array): { id: number; result: number; detail: Uint8Array } {
  need(body, 8, 'file transfer status');
  const dv = view(body);
  return { id: dv.getUint32(0, true), result: dv.getUint32(4, true), detail: body.subarray(8) };
}

// The whole agent message for a FILE_XFER_DATA, in one copy of `data`: encoding the body and
// then the message copied every 64 KiB of a file twice on the page's main thread.
export function encodeFileXferDataMessage(id: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(AGENT_HEADER_SIZE + 12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, VD_AGENT_PROTOCOL, true);
  dv.setUint32(4, AgentMsg.FILE_XFER_DATA, true);
  dv.setUint32(16, 12 + data.length, true);
  dv.setUint32(AGENT_HEADER_SIZE, id, true);
  dv.setBigUint64(AGENT_HEADER_SIZE + 4, BigInt(data.length), true);
  out.set(data, AGENT_HEADER_SIZE + 12);
  return out;
}

// Mini-header messages (type u16, size u32, then the payload, each) in one buffer: what one
// WebSocket frame of a channel carries.
export function encodeMiniMessages(messages: ReadonlyArray<{ type: number; payload: Uint8Array }>): Uint8Array {
  const out = new Uint8Array(messages.reduce((n, m) => n + 6 + m.payload.length, 0));
  const dv = new DataView(out.buffer);
  let at = 0;
  for (const { type, payload } of messages) {
    dv.setUint16(at, type, true);
    dv.setUint32(at + 2, payload.length, true);
    out.set(payload, at + 6);
    at += 6 + payload.length;
  }
  return out;
}
