// Preferences that belong to this browser, not to the helper: the theme and the telemetry
// choice. Kept in localStorage; nothing here is ever sent anywhere.

export type Theme = 'system' | 'light' | 'dark';
export const THEME_KEY = 'openutm.theme.v1';
export const TELEMETRY_KEY = 'openutm.telemetry.v1';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function readTheme(): Theme {
  const t = storage()?.getItem(THEME_KEY);
  return t === 'light' || t === 'dark' ? t : 'system';
}

// Runs in <head> before the first paint, so a dark page never flashes light (or the other way
// round); it also follows the system setting while the choice is "system". Kept as a string
// because it runs before any bundle loads; applyTheme below does the same after a change.
export const THEME_BOOT_SCRIPT = `(function(){var K=${JSON.stringify(THEME_KEY)};var m=window.matchMedia('(prefers-color-scheme: dark)');function a(){var s=null;try{s=localStorage.getItem(K)}catch(e){}var t=s==='dark'||s==='light'?s:'system';var d=t==='dark'||(t==='system'&&m.matches);var r=document.documentElement;r.classList.toggle('dark',d);r.style.colorScheme=d?'dark':'light';r.setAttribute('data-theme',t)}a();m.addEventListener('change',a);window.addEventListener('storage',function(e){if(e.key===K)a()})})();`;

// Saves the choice and applies it to this page now.
export function saveTheme(theme: Theme): void {
  const s = storage();
  if (theme === 'system') s?.removeItem(THEME_KEY);
  else s?.setItem(THEME_KEY, theme);
  applyTheme(theme);
  preferencesChanged();
}

export function applyTheme(theme: Theme): void {
  const dark = theme === 'dark' || (theme === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  const root = document.documentElement;
  root.classList.toggle('dark', dark);
  root.style.colorScheme = dark ? 'dark' : 'light';
  root.setAttribute('data-theme', theme);
}

// Off until the person opts in. This version of OpenUTM sends nothing either way.
export function readTelemetry(): boolean {
  return storage()?.getItem(TELEMETRY_KEY) === 'on';
}

export function saveTelemetry(on: boolean): void {
  storage()?.setItem(TELEMETRY_KEY, on ? 'on' : 'off');
  preferencesChanged();
}

// Tells this page's readers when a preference changes here or in another tab.
const listeners = new Set<() => void>();

export function subscribePreferences(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.key === THEME_KEY || e.key === TELEMETRY_KEY) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function preferencesChanged(): void {
  for (const l of [...listeners]) l();
}
