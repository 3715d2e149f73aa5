// What a SPICE client's first bytes on a channel say: SpiceLinkHeader (magic "REDQ", major,
// minor, size: 16 bytes) then SpiceLinkMess (connection_id u32, channel_type u8, …), all
// little-endian. Only the channel type matters to the bridge.

// SPICE_CHANNEL_MAIN in spice-protocol's enums.h.
export const SPICE_MAIN_CHANNEL = 1;

const MAGIC = 0x51444552; // "REDQ" read as a little-endian u32
const CHANNEL_TYPE_OFFSET = 20;

// The channel type of a link, 'need-more' until 21 bytes have arrived, or null when the bytes
// are not a SPICE link at all (a VNC client, garbage).
export function spiceChannelType(firstBytes: Buffer): number | 'need-more' | null {
  if (firstBytes.length >= 4 && firstBytes.readUInt32LE(0) !== MAGIC) return null;
  if (firstBytes.length <= CHANNEL_TYPE_OFFSET) return 'need-more';
  return firstBytes.readUInt8(CHANNEL_TYPE_OFFSET);
}

// Collects a channel's first bytes across frames until its type is known; returns a function to
// feed each client frame to, which answers false once it needs no more.
export function sniffChannelType(onType: (type: number | null) => void): (frame: Buffer) => boolean {
  let head: Buffer = Buffer.alloc(0);
  return (frame) => {
    head = head.length === 0 ? frame : Buffer.concat([head, frame]);
    const type = spiceChannelType(head);
    if (type === 'need-more') return true;
    head = Buffer.alloc(0);
    onType(type);
    return false;
  };
}
