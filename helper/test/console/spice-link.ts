// The start of a SPICE session as spice-html5 does it, over a WebSocket: link a channel, log
// in with an (empty) ticket, read messages. Layouts from spice-protocol's spice/protocol.h and
// enums.h (all little-endian, structs packed).
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import type { WebSocket } from 'ws';
import { SPICE_MSGC } from '@openutm/shared';

const MAGIC = 'REDQ';
const VERSION_MAJOR = 2;
const VERSION_MINOR = 2;
export const CHANNEL = { main: 1, display: 2, inputs: 3, cursor: 4 } as const;
export const LINK_ERR_OK = 0;
export const PUBKEY_BYTES = 162;
const TICKET_BYTES = 128; // RSA-1024 ciphertext
// Common capabilities (bit numbers): auth selection, SPICE auth, mini header.
const CAP_AUTH_SELECTION = 0;
const CAP_AUTH_SPICE = 1;
const CAP_MINI_HEADER = 3;
export const MSG_SET_ACK = 3;
export const MSG_MAIN_INIT = 103;
export const MSG_DISPLAY_SURFACE_CREATE = 314;

// Reads exact byte counts (or waits for text) from the binary frames of a WebSocket, however
// they were split. Create it right after the WebSocket, before 'open': a server may send at once.
export class FrameStream {
  private buffered = Buffer.alloc(0);
  private transcript = '';
  private waiter: (() => void) | null = null;
  private closed: Error | null = null;
  // Whether every message so far came as a binary frame.
  allBinary = true;

  constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.allBinary &&= isBinary;
      this.buffered = Buffer.concat([this.buffered, data]);
      this.transcript += data.toString('latin1');
      this.waiter?.();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closed = new Error(`the WebSocket closed (${code} ${reason.toString()})`);
      this.waiter?.();
    });
  }

  async read(n: number, timeoutMs = 10_000): Promise<Buffer> {
    await this.until(() => this.buffered.length >= n, () => `${n} bytes (have ${this.buffered.length})`, timeoutMs);
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return out;
  }

  // Waits until everything received so far (as Latin-1 text) contains `text`.
  async waitForText(text: string, timeoutMs = 60_000): Promise<void> {
    await this.until(() => this.transcript.includes(text), () => `"${text}"; got:\n${this.transcript.slice(-1000)}`, timeoutMs);
  }

  private async until(done: () => boolean, what: () => string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.closed) throw this.closed;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = null;
    }
  }

  send(data: Buffer): void {
    this.ws.send(data, { binary: true });
  }
}

export interface LinkReply {
  magic: string;
  major: number;
  minor: number;
  error: number;
  pubKey: Buffer;
  commonCaps: number[];
  channelCaps: number[];
}

// SpiceLinkHeader + SpiceLinkMess for one channel, with the capabilities spice-html5 sends.
export function linkMessage(channelType: number, connectionId: number, channelId = 0): Buffer {
  const commonCaps = [(1 << CAP_AUTH_SELECTION) | (1 << CAP_AUTH_SPICE) | (1 << CAP_MINI_HEADER)];
  const mess = Buffer.alloc(18 + 4 * commonCaps.length);
  mess.writeUInt32LE(connectionId, 0);
  mess.writeUInt8(channelType, 4);
  mess.writeUInt8(channelId, 5);
  mess.writeUInt32LE(commonCaps.length, 6); // num_common_caps
  mess.writeUInt32LE(0, 10); // num_channel_caps
  mess.writeUInt32LE(18, 14); // caps_offset, from the start of SpiceLinkMess
  commonCaps.forEach((c, i) => mess.writeUInt32LE(c, 18 + 4 * i));
  const header = Buffer.alloc(16);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(VERSION_MAJOR, 4);
  header.writeUInt32LE(VERSION_MINOR, 8);
  header.writeUInt32LE(mess.length, 12);
  return Buffer.concat([header, mess]);
}

// Reads SpiceLinkHeader + SpiceLinkReply.
export async function readLinkReply(stream: FrameStream): Promise<LinkReply> {
  const header = await stream.read(16);
  const size = header.readUInt32LE(12);
  const body = await stream.read(size);
  const numCommon = body.readUInt32LE(4 + PUBKEY_BYTES);
  const numChannel = body.readUInt32LE(8 + PUBKEY_BYTES);
  const capsOffset = body.readUInt32LE(12 + PUBKEY_BYTES);
  const caps = (i: number): number => body.readUInt32LE(capsOffset + 4 * i);
  return {
    magic: header.toString('latin1', 0, 4),
    major: header.readUInt32LE(4),
    minor: header.readUInt32LE(8),
    error: body.readUInt32LE(0),
    pubKey: body.subarray(4, 4 + PUBKEY_BYTES),
    commonCaps: Array.from({ length: numCommon }, (_, i) => caps(i)),
    channelCaps: Array.from({ length: numChannel }, (_, i) => caps(numCommon + i)),
  };
}

// Chooses SPICE auth and sends the password (empty: the helper's SPICE runs with
// disable-ticketing) encrypted with the server's key, RSA-OAEP with SHA-1; returns the link result.
export async function authenticate(stream: FrameStream, reply: LinkReply, password = ''): Promise<number> {
  const encrypted = publicEncrypt(
    {
      key: createPublicKey({ key: reply.pubKey, format: 'der', type: 'spki' }),
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha1',
    },
    Buffer.from(`${password}\0`, 'utf8'),
  );
  if (encrypted.length !== TICKET_BYTES) throw new Error(`the encrypted ticket is ${encrypted.length} bytes, expected ${TICKET_BYTES}`);
  const mechanism = Buffer.alloc(4);
  mechanism.writeUInt32LE(CAP_AUTH_SPICE, 0);
  stream.send(Buffer.concat([mechanism, encrypted]));
  return (await stream.read(4)).readUInt32LE(0);
}

// Whether both sides agreed on the 6-byte mini header for messages.
export function usesMiniHeader(reply: LinkReply): boolean {
  return ((reply.commonCaps[0] ?? 0) & (1 << CAP_MINI_HEADER)) !== 0;
}

// A client message with the mini header (type u16, size u32) or the full one (serial u64 first,
// sub_list u32 last).
export function clientMessage(type: number, body: Buffer, mini: boolean, serial = 1n): Buffer {
  if (mini) {
    const h = Buffer.alloc(6);
    h.writeUInt16LE(type, 0);
    h.writeUInt32LE(body.length, 2);
    return Buffer.concat([h, body]);
  }
  const h = Buffer.alloc(18);
  h.writeBigUInt64LE(serial, 0);
  h.writeUInt16LE(type, 8);
  h.writeUInt32LE(body.length, 10);
  return Buffer.concat([h, body]);
}

// SPICE_MSGC_DISPLAY_INIT as spice-html5 sends it after linking the display channel: a pixmap
// cache, no GLZ dictionary. The server then starts sending the screen.
export function displayInit(mini: boolean): Buffer {
  const body = Buffer.alloc(14);
  body.writeUInt8(1, 0); // pixmap_cache_id
  body.writeBigUInt64LE(10n * 1024n * 1024n, 1); // pixmap_cache_size
  body.writeUInt8(0, 9); // glz_dictionary_id
  body.writeUInt32LE(0, 10); // glz_dictionary_window_size
  return clientMessage(SPICE_MSGC.DISPLAY_INIT, body, mini);
}

// Reads messages until one of `type` arrives, answering SET_ACK on the way; returns its body.
export async function readMessage(stream: FrameStream, type: number, mini: boolean, maxMessages = 50): Promise<Buffer> {
  for (let i = 0; i < maxMessages; i++) {
    let msgType: number;
    let size: number;
    if (mini) {
      const h = await stream.read(6);
      msgType = h.readUInt16LE(0);
      size = h.readUInt32LE(2);
    } else {
      const h = await stream.read(18);
      msgType = h.readUInt16LE(8);
      size = h.readUInt32LE(10);
    }
    const body = await stream.read(size);
    if (msgType === type) return body;
    if (msgType === MSG_SET_ACK) stream.send(clientMessage(SPICE_MSGC.ACK_SYNC, body.subarray(0, 4), mini, 2n));
  }
  throw new Error(`no message of type ${type} within ${maxMessages} messages`);
}
