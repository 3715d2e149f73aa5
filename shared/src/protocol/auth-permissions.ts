// Who may do what with pairing and tokens: one rule for the helper (which refuses) and the UI
// (which hides or disables what it cannot do). A stolen browser token must not mint more access
// or lock the real user out, so only the local token may mint codes or revoke other clients.

// The identity of the local token (the CLI reads it from secrets.json; the tray is the helper
// itself). It is never listed among paired clients.
export const LOCAL_CLIENT_ID = 'local';

// Why this caller may not mint pairing codes, or null when it may.
export function whyCannotMintPairingCode(callerTokenId: string): string | null {
  if (callerTokenId === LOCAL_CLIENT_ID) return null;
  return 'only the OpenUTM app on this computer can make pairing codes; run `openutm pair` there, or choose "Pair a device" in the tray menu';
}

// Why this caller may not revoke the target token, or null when it may: anyone may revoke
// itself; only the local token may revoke others.
export function whyCannotRevoke(callerTokenId: string, targetTokenId: string): string | null {
  if (callerTokenId === LOCAL_CLIENT_ID || callerTokenId === targetTokenId) return null;
  return `only the OpenUTM app on this computer can revoke other clients; run \`openutm tokens revoke ${targetTokenId}\` there`;
}
