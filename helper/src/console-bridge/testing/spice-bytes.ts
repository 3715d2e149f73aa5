// SPICE handshake bytes for the unit tests of the bridge's SPICE readers, both directions, laid
// out as spice-protocol's protocol.h has them (little-endian, packed).

// Common capabilities (bits): auth selection, SPICE auth, mini header.
export const CAP = { authSelection: 1 << 0, authSpice: 1 << 1, miniHeader: 1 << 3 } as const;
export const SPICE_CAPS = CAP.authSelection | CAP.authSpice | CAP.miniHeader;

// SpiceLinkHeader: magic, version 2.2, size of what follows.
function linkHeader(size: number): Buffer {
  const header = Buffer.alloc(16);
  header.write('REDQ', 0, 'latin1');
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(2, 8);
  header.writeUInt32LE(size, 12);
  return header;
}

// Client → QEMU: SpiceLinkHeader + SpiceLinkMess with one common-capability word.
export function clientLink(channelType: number, commonCaps = SPICE_CAPS): Buffer {
  const mess = Buffer.alloc(22);
  mess.writeUInt32LE(7, 0); // connection id
  mess.writeUInt8(channelType, 4);
  mess.writeUInt32LE(1, 6); // num_common_caps
  mess.writeUInt32LE(0, 10); // num_channel_caps
  mess.writeUInt32LE(18, 14); // caps_offset
  mess.writeUInt32LE(commonCaps, 18);
  return Buffer.concat([linkHeader(mess.length), mess]);
}

// Client → QEMU: the RSA ticket, after the mechanism word when auth selection was offered.
export function clientAuth(selection: boolean, mechanism = 1): Buffer {
  const ticket = Buffer.alloc(128, 0xab);
  if (!selection) return ticket;
  const m = Buffer.alloc(4);
  m.writeUInt32LE(mechanism, 0);
  return Buffer.concat([m, ticket]);
}

// QEMU → client: SpiceLinkHeader + SpiceLinkReply (error first, then key and capabilities).
export function serverReply(error = 0): Buffer {
  const body = Buffer.alloc(4 + 162 + 16);
  body.writeUInt32LE(error, 0);
  return Buffer.concat([linkHeader(body.length), body]);
}

// QEMU → client: the link result once the ticket was checked (0: logged in; 7: permission denied).
export const linkResult = (code: number): Buffer => Buffer.from([code, 0, 0, 0]);

// QEMU → client: the first message of a channel it has set up (SET_ACK, mini header).
export const SET_ACK = Buffer.from([3, 0, 4, 0, 0, 0, 1, 0, 0, 0]);
