// Server-to-browser binary frames written by the bridge itself: with the header in the room
// the reader leaves in front of each chunk, a frame is one buffer and one socket write, where
// ws's Sender allocates a header and corks two writes into a writev for every frame.

// Largest header of an unmasked frame: 2 bytes, plus 8 for a 64-bit length.
export const MAX_FRAME_HEADER = 10;

// FIN set, opcode 2 (binary), no RSV bits: an uncompressed message is valid even where
// permessage-deflate was negotiated (RFC 7692 §6), so this fits every connection.
const FIN_BINARY = 0x82;

export function frameHeaderLength(payloadLength: number): number {
  return payloadLength < 126 ? 2 : payloadLength < 0x10000 ? 4 : 10;
}

// The chunk as one complete binary frame: a view that starts with the header, written into the
// bytes just before the chunk. Those bytes must belong to the chunk's owner (the pooled reader
// leaves MAX_FRAME_HEADER of them in front of every chunk); null when there is no such room.
export function frameInPlace(chunk: Buffer, headroom: number): Buffer | null {
  const length = chunk.length;
  const headerLength = frameHeaderLength(length);
  if (headroom < headerLength || chunk.byteOffset < headerLength) return null;
  const frame = Buffer.from(chunk.buffer, chunk.byteOffset - headerLength, headerLength + length);
  frame[0] = FIN_BINARY;
  if (headerLength === 2) {
    frame[1] = length;
  } else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  return frame;
}
