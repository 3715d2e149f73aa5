// What the bridge learns from the bytes a SPICE client sends on one channel, all little-endian
// (spice-protocol's protocol.h, structs packed):
//   SpiceLinkHeader  magic "REDQ", major, minor, size (16 bytes)
//   SpiceLinkMess    connection_id u32, channel_type u8, channel_id u8, num_common_caps u32,
//                    num_channel_caps u32, caps_offset u32, then the capability words
//   auth             [mechanism u32 when the client offers auth selection] + RSA ticket (128)
//   messages         mini header (type u16, size u32) or full (serial u64, type u16, size u32,
//                    sub_list u32), then the body
// The bridge needs the channel type (sessions close main first), whether the ticket went out
// (QEMU is then setting the channel up), and, on a display channel, whether DISPLAY_INIT went out: libspice-server 0.15 blocks its display thread in a receive
// loop from link until that message arrives, and a session torn down in that state hangs or
// crashes QEMU. Sending the message the client never sent lets the thread out of that loop.

import { SPICE_MSGC } from '@openutm/shared';

export const SPICE_MAIN_CHANNEL = 1;
export const SPICE_DISPLAY_CHANNEL = 2;

const MAGIC = 0x51444552; // "REDQ" read as a little-endian u32
const LINK_HEADER_BYTES = 16;
const TICKET_BYTES = 128;
const CAP_AUTH_SELECTION = 0;
const CAP_MINI_HEADER = 3;
const AUTH_SPICE = 1;
const MINI_HEADER_BYTES = 6;
const FULL_HEADER_BYTES = 18;
// No real link message comes near this; a client claiming more is not followed further.
const MAX_LINK_BYTES = 4096;

type Phase = 'link' | 'messages' | 'done';

// Feed it every client frame of one channel, in order, while observe() answers true.
export class SpiceClientStream {
  // The channel type; undefined until the link arrived, null when the bytes are not SPICE.
  type: number | null | undefined = undefined;
  private phase: Phase = 'link';
  private head: Buffer = Buffer.alloc(0);
  private mini = false;
  private headerBytes = FULL_HEADER_BYTES;
  // Bytes of link and auth still to pass before the first message header.
  private authLeft = 0;
  private header: Buffer = Buffer.alloc(0);
  private bodyLeft = 0;
  private messages = 0;
  private initSent = false;
  // Whether the whole ticket went out (QEMU checks it, then sets the channel up).
  ticketSent = false;

  // Returns false once nothing more needs watching on this channel.
  observe(frame: Buffer): boolean {
    if (this.phase === 'link') this.readLink(frame);
    else if (this.phase === 'messages') this.readMessages(frame);
    return this.phase !== 'done';
  }

  // The DISPLAY_INIT to send before this channel's session ends, when it is a display channel
  // that is logged in (or about to be) and never sent one, and sits between two messages; else
  // null. Answers it once.
  pendingDisplayInit(): Buffer | null {
    if (this.type !== SPICE_DISPLAY_CHANNEL || this.phase !== 'messages' || this.initSent) return null;
    if (this.authLeft > 0 || this.bodyLeft > 0 || this.header.length > 0) return null;
    this.initSent = true;
    this.phase = 'done';
    return displayInitMessage(this.mini, BigInt(this.messages + 1));
  }

  private readLink(frame: Buffer): void {
    this.head = this.head.length === 0 ? frame : Buffer.concat([this.head, frame]);
    const head = this.head;
    if (head.length >= 4 && head.readUInt32LE(0) !== MAGIC) return this.finish(null);
    if (head.length < LINK_HEADER_BYTES) return;
    const size = head.readUInt32LE(12);
    if (size < 18 || size > MAX_LINK_BYTES) return this.finish(null);
    const linkEnd = LINK_HEADER_BYTES + size;
    // With auth selection, the mechanism word follows the link: wait for it too.
    if (head.length < linkEnd) return;
    const mess = head.subarray(LINK_HEADER_BYTES, linkEnd);
    const type = mess.readUInt8(4);
    const numCommonCaps = mess.readUInt32LE(6);
    const capsOffset = mess.readUInt32LE(14);
    const commonCaps = numCommonCaps > 0 && capsOffset + 4 <= mess.length ? mess.readUInt32LE(capsOffset) : 0;
    const authSelection = (commonCaps & (1 << CAP_AUTH_SELECTION)) !== 0;
    this.type = type;
    if (authSelection && head.length < linkEnd + 4) return;
    // SASL's exchange has no fixed length: its messages cannot be followed.
    if (authSelection && head.readUInt32LE(linkEnd) !== AUTH_SPICE) return this.finish(type);
    // spice-server 0.12 on always offers the mini header, so the client's offer decides it.
    this.mini = (commonCaps & (1 << CAP_MINI_HEADER)) !== 0;
    this.headerBytes = this.mini ? MINI_HEADER_BYTES : FULL_HEADER_BYTES;
    this.authLeft = (authSelection ? 4 : 0) + TICKET_BYTES;
    this.phase = 'messages';
    const rest = head.subarray(linkEnd);
    this.head = Buffer.alloc(0);
    this.readMessages(rest);
  }

  private readMessages(buf: Buffer): void {
    let i = 0;
    while (i < buf.length && this.phase === 'messages') {
      const left = buf.length - i;
      if (this.authLeft > 0 || this.bodyLeft > 0) {
        const skip = Math.min(this.authLeft > 0 ? this.authLeft : this.bodyLeft, left);
        if (this.authLeft > 0) {
          this.authLeft -= skip;
          this.ticketSent = this.authLeft === 0;
          // Only a display channel's messages matter (its DISPLAY_INIT).
          if (this.ticketSent && this.type !== SPICE_DISPLAY_CHANNEL) this.phase = 'done';
        } else this.bodyLeft -= skip;
        i += skip;
        continue;
      }
      const take = Math.min(this.headerBytes - this.header.length, left);
      this.header = Buffer.concat([this.header, buf.subarray(i, i + take)]);
      i += take;
      if (this.header.length < this.headerBytes) return;
      const at = this.mini ? 0 : 8;
      const type = this.header.readUInt16LE(at);
      this.bodyLeft = this.header.readUInt32LE(at + 2);
      this.header = Buffer.alloc(0);
      this.messages += 1;
      if (type === SPICE_MSGC.DISPLAY_INIT) {
        this.initSent = true;
        this.phase = 'done';
      }
    }
  }

  private finish(type: number | null): void {
    this.type = type;
    this.phase = 'done';
    this.head = Buffer.alloc(0);
  }
}

// SPICE_MSGC_DISPLAY_INIT with the values spice-html5 sends: a 10 MiB pixmap cache, no GLZ.
export function displayInitMessage(mini: boolean, serial = 1n): Buffer {
  const headerBytes = mini ? MINI_HEADER_BYTES : FULL_HEADER_BYTES;
  const msg = Buffer.alloc(headerBytes + 14);
  const at = mini ? 0 : 8;
  if (!mini) msg.writeBigUInt64LE(serial, 0);
  msg.writeUInt16LE(SPICE_MSGC.DISPLAY_INIT, at);
  msg.writeUInt32LE(14, at + 2);
  msg.writeUInt8(1, headerBytes); // pixmap_cache_id
  msg.writeBigUInt64LE(10n * 1024n * 1024n, headerBytes + 1); // pixmap_cache_size
  msg.writeUInt8(0, headerBytes + 9); // glz_dictionary_id
  msg.writeUInt32LE(0, headerBytes + 10); // glz_dictionary_window_size
  return msg;
}
