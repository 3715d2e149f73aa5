import type { RawData } from 'ws';

// WebSocket close codes the consoles use.
export const CLOSE_CODE = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  internalError: 1011,
  tryAgainLater: 1013,
} as const;

const MAX_REASON_BYTES = 123;

// Close reasons are limited to 123 bytes of UTF-8; cut on a character boundary.
export function truncateReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_REASON_BYTES) return reason;
  let out = '';
  for (const ch of reason) {
    if (Buffer.byteLength(out + ch) > MAX_REASON_BYTES) break;
    out += ch;
  }
  return out;
}

// A peer may close with any code; only some may be sent back in a close frame.
export function closableCode(code: number): number {
  const reserved = code === 1005 || code === 1006 || code === 1015 || (code >= 1016 && code < 3000);
  return reserved || code < 1000 || code >= 5000 ? CLOSE_CODE.normal : code;
}

// A received message as one Buffer, whatever form ws delivered it in.
export function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
