// The one-time code a pairing link carries in its fragment (`/pair#code=K7QM2XPD`, printed by
// `openutm serve` and opened by the tray), or null. The fragment never reaches a server.
export function codeFromFragment(hash: string): string | null {
  const code = new URLSearchParams(hash.replace(/^#/, '')).get('code');
  return code === null || code.trim() === '' ? null : code.trim();
}

// What a person reads when a link's code was refused: links work once, for a few minutes.
export const USED_LINK_MESSAGE =
  'This pairing link has already been used or has expired: each link works once, within 5 minutes. ' +
  'Get a new one with `openutm pair` in a terminal, or choose "Pair a device" in the OpenUTM tray menu.';
