// What the UI keeps in localStorage: the chosen helper and one token per helper origin, so a
// token is only ever sent to the helper that issued it, and beside each token the library that
// helper last listed (library-memory.ts), which goes when the token goes.

const HELPER_KEY = 'openutm.helper.v1';
const TOKEN_PREFIX = 'openutm.token.v1:';
const LIBRARY_PREFIX = 'openutm.library.v1:';

// A stored client token and the id the helper lists it under (`openutm tokens`).
export interface StoredToken {
  token: string;
  tokenId: string;
}

// localStorage can throw (disabled storage, private modes); the UI then behaves as unpaired.
function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function readSavedHelper(): string | null {
  return storage()?.getItem(HELPER_KEY) ?? null;
}

export function saveHelper(origin: string | null): void {
  const s = storage();
  if (origin === null) s?.removeItem(HELPER_KEY);
  else s?.setItem(HELPER_KEY, origin);
}

export function readToken(helperOrigin: string): StoredToken | null {
  const raw = storage()?.getItem(TOKEN_PREFIX + helperOrigin);
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<StoredToken>;
    return typeof value.token === 'string' && typeof value.tokenId === 'string' ? { token: value.token, tokenId: value.tokenId } : null;
  } catch {
    return null;
  }
}

export function saveToken(helperOrigin: string, token: StoredToken): void {
  storage()?.setItem(TOKEN_PREFIX + helperOrigin, JSON.stringify(token));
}

// The attribute the pairing boot script sets on <html> when this browser holds no token at all.
export const BOOT_UNPAIRED_ATTRIBUTE = 'data-boot-unpaired';

// Runs in <head> before the first paint, so a browser that was never paired sees the library's
// "Pair this browser" screen straight from the static HTML instead of a skeleton that waits for
// the scripts (on a slow phone, seconds). It only decides when the answer is certain: no token
// for any helper (or no storage, which the UI treats as unpaired too). With some token the page
// shows the skeleton until the helper client has checked it.
export const PAIRING_BOOT_SCRIPT = `(function(){var P=${JSON.stringify(TOKEN_PREFIX)};try{for(var i=0;i<localStorage.length;i++){if((localStorage.key(i)||'').indexOf(P)===0)return}}catch(e){}document.documentElement.setAttribute(${JSON.stringify(BOOT_UNPAIRED_ATTRIBUTE)},'')})();`;

export function forgetToken(helperOrigin: string): void {
  storage()?.removeItem(TOKEN_PREFIX + helperOrigin);
  storage()?.removeItem(LIBRARY_PREFIX + helperOrigin);
}

// The remembered library's text for a helper; null when there is none or no token for it.
export function readRememberedLibrary(helperOrigin: string): string | null {
  if (readToken(helperOrigin) === null) return null;
  return storage()?.getItem(LIBRARY_PREFIX + helperOrigin) ?? null;
}

// Keeps (or, with null, drops) the library's text for a helper. A full storage keeps the old one
// out of the way rather than failing the caller: remembering is only a head start.
export function saveRememberedLibrary(helperOrigin: string, text: string | null): void {
  const s = storage();
  try {
    if (text === null) s?.removeItem(LIBRARY_PREFIX + helperOrigin);
    else s?.setItem(LIBRARY_PREFIX + helperOrigin, text);
  } catch {
    s?.removeItem(LIBRARY_PREFIX + helperOrigin);
  }
}
