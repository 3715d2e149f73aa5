// A pairing code as `openutm pair` prints it (helper/src/auth/pairing.ts: eight symbols from an
// alphabet without 0/O and 1/I, shown as two groups of four), so a code filled in from a link
// looks like the one in the terminal and like the field's example.
export const CODE_EXAMPLE = 'K7QM-2XPD';

// "k7qm2xpd", "K7QM 2XPD" → "K7QM-2XPD"; anything that is not eight symbols is left as typed.
export function displayCode(raw: string): string {
  const symbols = raw.replace(/[\s-]/g, '').toUpperCase();
  return /^[A-Z2-9]{8}$/.test(symbols) ? `${symbols.slice(0, 4)}-${symbols.slice(4)}` : raw.trim();
}
