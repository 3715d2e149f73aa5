export { CLOSE } from '@openutm/shared';

// A close reason may be at most 123 bytes of UTF-8; ws throws on longer ones.
export function closeReason(text: string): string {
  if (Buffer.byteLength(text, 'utf8') <= 123) return text;
  let out = text;
  while (Buffer.byteLength(`${out}…`, 'utf8') > 123) out = out.slice(0, -1);
  return `${out}…`;
}
